/* Pages of an event that is on refresh themselves: race and standings pages include this file
 * only then. Every 5 s the page asks for itself again, short requests only, with the ETag it
 * last saw; the server answers 304 when nothing changed, else the new page, whose <main>
 * replaces this one's. The page's "Last changed" line says when its results last changed
 * (the server writes it; this script shows it in the reader's own time). Polling stops while
 * the tab is hidden and resumes, with a request at once, when it is shown again. */
(function () {
  "use strict";

  var PERIOD = 5000; // ms between the end of one request and the next
  var etag = null; // of the last answer seen; null until the first one
  var timer = null;
  var busy = false;
  var live = true;

  function liveLine(doc) {
    return doc.querySelector("main [data-live]");
  }

  function changedAt(doc) {
    var line = liveLine(doc);
    return line ? line.getAttribute("data-changed") : null;
  }

  function localise(root) {
    var times = root.querySelectorAll("[data-live] time[datetime]");
    Array.prototype.forEach.call(times, function (time) {
      var when = new Date(time.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      time.textContent = when.toLocaleTimeString([], {
        hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
      });
      time.title = when.toString();
    });
  }

  /* The tables' own sideways scroll, kept across a refresh (by their labels). */
  function scrolls(root) {
    var kept = {};
    Array.prototype.forEach.call(root.querySelectorAll(".table-scroll[aria-label]"), function (box) {
      kept[box.getAttribute("aria-label")] = box.scrollLeft;
    });
    return kept;
  }

  function restore(root, kept) {
    Array.prototype.forEach.call(root.querySelectorAll(".table-scroll[aria-label]"), function (box) {
      var left = kept[box.getAttribute("aria-label")];
      if (left) box.scrollLeft = left;
    });
  }

  function replace(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var current = document.querySelector("main");
    var incoming = fresh.querySelector("main");
    if (!current || !incoming) return;
    var first = etag === null;
    if (first && changedAt(fresh) === changedAt(document)) return; // the page as it was loaded
    var kept = scrolls(current);
    current.replaceChildren.apply(current, Array.prototype.slice.call(incoming.childNodes));
    restore(current, kept);
    localise(current);
    if (!liveLine(document)) live = false; // the event is over: the page no longer refreshes
  }

  function schedule() {
    if (live && !busy && timer === null && !document.hidden) {
      timer = window.setTimeout(poll, PERIOD);
    }
  }

  function poll() {
    timer = null;
    if (busy || document.hidden || !live) return;
    busy = true;
    var headers = etag ? { "If-None-Match": etag } : {};
    var controller = new AbortController();
    var giveUp = window.setTimeout(function () { controller.abort(); }, PERIOD);
    fetch(window.location.href, {
      headers: headers,
      cache: "no-store", // the answer comes to this script as the server sent it, 304 or 200
      credentials: "same-origin",
      signal: controller.signal
    })
      .then(function (response) {
        if (response.status !== 200) return null; // 304: nothing changed; errors: try again
        var seen = response.headers.get("ETag");
        return response.text().then(function (html) {
          replace(html);
          etag = seen;
        });
      })
      .catch(function () { /* offline or timed out: the next round tries again */ })
      .then(function () {
        window.clearTimeout(giveUp);
        busy = false;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else if (timer === null && !busy) {
      poll(); // back in view: catch up at once, then every 5 s
    }
  });

  localise(document);
  schedule();
})();
