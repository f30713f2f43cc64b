/* The heat entry page (templates/admin/results/race/heats.html): the keyboard, the skater
   found as it is typed, and lines pasted from timing software. Without this file the page is
   a plain form; with it nothing is saved that the server has not checked again.

   Keyboard: Enter moves to the next field of a line, and from its last field to the next
   line's skater (relay: team), whose place follows the lines above it; Enter at the end of
   the last line adds a line. Ctrl+Enter (or Cmd+Enter) saves. */
(function () {
  "use strict";

  const form = document.getElementById("heat-form");
  if (!form) {
    return;
  }
  const body = form.querySelector("#heat-lines tbody");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const template = document.getElementById("heat-empty-line");
  const relay = form.dataset.relay === "1";
  const who = relay ? "nation" : "athlete";

  const rows = () => Array.from(body.querySelectorAll("tr.heat-line"));
  const inputs = (row) => Array.from(row.querySelectorAll("input[data-field]"));
  const field = (row, name) => row.querySelector("input[data-field='" + name + "']");
  const note = (input) => document.getElementById(input.name + "-found");

  // --- Lines ---------------------------------------------------------------------------------

  function addLine() {
    const index = Number(total.value);
    const html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const all = rows();
    return all[all.length - 1];
  }

  function focusField(input) {
    input.focus();
    input.select();
  }

  function next(input) {
    const row = input.closest("tr.heat-line");
    const own = inputs(row);
    const at = own.indexOf(input);
    if (at < own.length - 1) {
      focusField(own[at + 1]);
      return;
    }
    const all = rows();
    const following = all[all.indexOf(row) + 1] || addLine();
    focusField(field(following, who));
  }

  // The place a line takes when the official gives none: one after the highest place above
  // it; none for a line with a status or a referee's advancement. A place the official typed
  // is never changed.
  function highestAbove(row) {
    let highest = 0;
    for (const other of rows()) {
      if (other === row) {
        break;
      }
      const place = parseInt(field(other, "place").value, 10);
      if (place > highest) {
        highest = place;
      }
    }
    return highest;
  }

  function autoPlace(row) {
    const place = field(row, "place");
    const auto = place.dataset.auto === "1";
    if (place.value.trim() !== "" && !auto) {
      return;
    }
    const named = field(row, who).value.trim() !== "";
    // A status line has no place; nor, unless the official types one, a skater the referee
    // advanced (ADV, ADA, ADB).
    const advanced = /^AD[VAB]$/.test(field(row, "qualification").value.trim());
    if (field(row, "status").value.trim() !== "" || !named || advanced) {
      if (auto) {
        place.value = "";
      }
      return;
    }
    if (place.value.trim() === "" && (row.dataset.typed === "1" || auto)) {
      place.value = String(highestAbove(row) + 1);
      place.dataset.auto = "1";
    }
  }

  // --- Finding the skater typed ----------------------------------------------------------------

  function splitMembers(text) {
    return text
      .split(text.includes(";") ? ";" : ",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
  }

  function look(text, nation) {
    const query = new URLSearchParams({ q: text, round: form.dataset.round, heat: form.dataset.heat });
    if (nation) {
      query.set("nation", nation);
    }
    return fetch(form.dataset.find + "?" + query.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : { unknown: true }))
      .catch(() => ({ unknown: true }));
  }

  function find(input, row) {
    const text = input.value.trim();
    const shown = note(input);
    if (text === "") {
      shown.textContent = "";
      input.removeAttribute("aria-invalid");
      return;
    }
    const nation = relay ? field(row, "nation").value.trim().toUpperCase() : "";
    if (input.dataset.asked === text + "|" + nation || (relay && nation === "")) {
      return; // asked already; or members, who are found among their team's nation, with none
    }
    input.dataset.asked = text + "|" + nation;
    const parts = input.dataset.field === "members" ? splitMembers(text) : [text];
    Promise.all(parts.map((part) => look(part, nation))).then((answers) => {
      if (input.value.trim() !== text || answers.some((answer) => answer.unknown)) {
        return; // typed on since, or not answered: the server finds them on save
      }
      const errors = answers.filter((answer) => answer.error).map((answer) => answer.error);
      if (errors.length) {
        shown.textContent = errors.join(" ");
        shown.classList.add("is-error");
        input.setAttribute("aria-invalid", "true");
        return;
      }
      input.value = answers.map((answer) => answer.label).join("; ");
      input.dataset.asked = input.value + "|" + nation;
      shown.textContent = "";
      shown.classList.remove("is-error");
      input.removeAttribute("aria-invalid");
    });
  }

  // Done with a field (Enter, Tab, a click elsewhere): tidy its value and what follows from it.
  function leave(input) {
    const row = input.closest("tr.heat-line");
    if (!row) {
      return;
    }
    const name = input.dataset.field;
    if (name === "status" || name === "nation") {
      input.value = input.value.trim().toUpperCase();
    }
    if (name === who || name === "status" || name === "qualification") {
      autoPlace(row);
    }
    if (name === "athlete" || name === "members") {
      find(input, row);
    } else if (name === "nation") {
      find(field(row, "members"), row);
    }
  }

  // --- Pasted lines ------------------------------------------------------------------------

  const TIME = /^(?:\d{1,2}:)?\d{1,2}\.\d{1,3}$/;
  const STATUSES = ["PEN", "DNF", "DNS", "YC"];
  const CODES = ["Q", "q", "QA", "QB", "ADV", "ADA", "ADB"];
  const NATION = /^[A-Z]{3}$/;
  const NUMBER = /^#?\d{1,6}$/;
  const PLACE = /^\d{1,3}\.?$/;
  const HEADER = /^(place|rank|pos\.?|position|no\.?|nr\.?|name|skater|athlete|helmet|time|nat\.?|nation|team|noc|status|qual\.?|qualification|q)$/i;

  function isName(cell) {
    return /\p{L}/u.test(cell) && !STATUSES.includes(cell.toUpperCase()) && !CODES.includes(cell);
  }

  // One pasted line: {place, who, time, status, qualification}, {header: true} or {bad: true}.
  function parseLine(text) {
    const cells = (text.includes("\t") ? text.split("\t") : text.split(/[,;]/)).map((c) => c.trim());
    if (cells.every((cell) => cell === "" || HEADER.test(cell))) {
      return { header: true };
    }
    const line = { place: "", who: "", time: "", status: "", qualification: "" };
    let rest = cells;
    const named = (cell) => NUMBER.test(cell) || isName(cell) || (relay && NATION.test(cell));
    if (cells.length > 1 && (cells[0] === "" || PLACE.test(cells[0])) && cells.slice(1).some(named)) {
      line.place = cells[0].replace(".", "");
      rest = cells.slice(1);
    }
    let helmet = "";
    let team = "";
    const names = [];
    for (const cell of rest) {
      if (cell === "") {
        continue;
      } else if (TIME.test(cell) && !line.time) {
        line.time = cell;
      } else if (STATUSES.includes(cell.toUpperCase()) && !line.status) {
        line.status = cell.toUpperCase();
      } else if (CODES.includes(cell) && !line.qualification) {
        line.qualification = cell;
      } else if (NATION.test(cell) && !team) {
        team = cell;
      } else if (NUMBER.test(cell) && !helmet) {
        helmet = cell;
      } else {
        names.push(cell);
      }
    }
    line.who = relay ? team : helmet || names.join(" ") || team;
    if (!line.who) {
      return { bad: true };
    }
    if (line.status) {
      line.place = "";
    }
    return line;
  }

  function applyPaste() {
    const area = document.getElementById("heat-paste-lines");
    const report = document.getElementById("heat-paste-report");
    const parsed = [];
    const bad = [];
    area.value.split(/\r?\n/).forEach((text, index) => {
      if (text.trim() === "") {
        return;
      }
      const line = parseLine(text);
      if (line.bad) {
        bad.push(index + 1);
      } else if (!line.header) {
        parsed.push(line);
      }
    });
    if (parsed.length === 0) {
      report.textContent = "No line understood: see the columns described above.";
      return;
    }
    while (rows().length < parsed.length) {
      addLine();
    }
    let highest = 0;
    rows().forEach((row, index) => {
      for (const input of inputs(row)) {
        input.value = "";
        delete input.dataset.asked;
        delete input.dataset.auto;
        input.removeAttribute("aria-invalid");
        if (note(input)) {
          note(input).textContent = "";
        }
      }
      delete row.dataset.typed;
      const line = parsed[index];
      if (!line) {
        return;
      }
      const place = field(row, "place");
      if (line.place) {
        place.value = line.place;
        highest = Math.max(highest, parseInt(line.place, 10));
      } else if (!line.status) {
        highest += 1;
        place.value = String(highest);
        place.dataset.auto = "1";
      }
      field(row, who).value = line.who;
      field(row, "time").value = line.time;
      field(row, "status").value = line.status;
      field(row, "qualification").value = line.qualification;
      row.dataset.typed = "1";
      if (!relay) {
        find(field(row, who), row);
      }
    });
    report.textContent =
      parsed.length +
      (parsed.length === 1 ? " line" : " lines") +
      " put into the heat below: check them, then save (Ctrl+Enter)." +
      (bad.length ? " Not understood, left out: line " + bad.join(", ") + " of the pasted block." : "");
  }

  // --- Wiring ----------------------------------------------------------------------------------

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) {
      return;
    }
    const target = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (target.matches("input[data-field]")) {
        leave(target);
      }
      form.requestSubmit();
      return;
    }
    if (target.matches("#heat-lines input[data-field]")) {
      event.preventDefault();
      leave(target);
      next(target);
    }
  });
  // A place the page proposed is replaced whole by what the official types there, wherever
  // the caret stands (a click into the field puts it before or after the proposal).
  body.addEventListener("beforeinput", (event) => {
    const input = event.target;
    if (input.dataset.field === "place" && input.dataset.auto === "1" &&
        event.inputType.startsWith("insert")) {
      input.value = "";
    }
  });
  body.addEventListener("input", (event) => {
    const input = event.target;
    if (input.dataset.field === "place") {
      delete input.dataset.auto;
    } else if (input.dataset.field === who) {
      input.closest("tr.heat-line").dataset.typed = "1";
    }
  });
  body.addEventListener("change", (event) => {
    if (event.target.matches("input[data-field]")) {
      leave(event.target);
    }
  });

  const paste = document.getElementById("heat-paste");
  paste.hidden = false;
  document.getElementById("heat-paste-apply").addEventListener("click", applyPaste);
  document.getElementById("heat-paste-lines").addEventListener("paste", () => {
    window.setTimeout(applyPaste, 0);
  });

  // Where the keyboard starts: the next heat after a save; else the first problem; else the
  // first line of a heat not yet entered, or the first empty line of one entered.
  const afterSave = form.dataset.saved === "1" && document.querySelector("[data-focus-after-save]");
  const problem = body.querySelector("input[aria-invalid='true']");
  const start = rows().find((row) => form.dataset.entered === "0" || field(row, who).value === "");
  if (afterSave) {
    afterSave.focus();
  } else if (problem) {
    focusField(problem);
  } else if (start) {
    focusField(field(start, who));
  }
})();
