"""Officials enter a heat of a race on one screen, by keyboard: the race's "Rounds and heats"
page in the admin, /admin/results/race/<id>/heats/?round=<name>&heat=<n>.

The page shows one heat's lines in place order as a form. Each line names its skater as the
official types it (a helmet number of the event's entry list, an ISU id or a name: found on
the round's start list first, then on the entry list, then among every skater of the race's
gender), or for a relay the team's nation and its members; then time, status, qualification
and start position. Saving hands the heat to `Race.write_heats`, which checks every rule of
the race's rounds and derives the classification: its problems come back next to their line
and column, and nothing is saved. The page shows the classification so far and offers the
next heat. `static/js/heat-entry.js` adds the keyboard (Enter to the next field and line,
Ctrl+Enter saves), the skater found as it is typed, and pasting lines from timing software;
without it the page is a plain form with a few empty lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from results.forms import RaceTimeField, reason_field
from results.models import Athlete, EventEntry, HeatLine, Nation, Race
from results.standings.classification import INDIVIDUAL_NEEDS_ATHLETE, RELAY_NEEDS_NATION
from results.standings.rounds import admitted, classify
from results.vocabulary import (
    FINALS,
    ROUND_ORDER,
    SKATER_GENDERS,
    Gender,
    Qualification,
    RoundName,
    Status,
    format_time,
    plural,
)

PERMISSIONS = ("results.change_race", "results.add_heatline")
MAX_LINES = 60  # a heat, or an unraced round entered as one, never has more
ROWS = 8  # lines a page without JavaScript shows at least (a final's eight, say) ...
EXTRA = 2  # ... and at least this many empty ones after the lines it has

# --- Finding the skater an official typed ----------------------------------------------------


def fold(text: str) -> str:
    """Text as the finder compares it: no accents, no case, single spaces (Hamelin, hamelin
    and HAMELIN are one; so are Noémi and Noemi)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class Skater:
    """A skater the page can name: on the event's entry list (skating for a nation, with a
    helmet number) or, off it, for the athlete's own nation."""

    athlete: Athlete
    nation_id: str
    helmet: int | None = None

    @property
    def label(self) -> str:
        """How the page writes the skater, and the one text that always finds them again:
        "12 Charles Hamelin (CAN)"."""
        helmet = f"{self.helmet} " if self.helmet else ""
        return f"{helmet}{self.athlete.name} ({self.nation_id})"

    def names(self) -> set[str]:
        aliases = self.athlete.aliases if isinstance(self.athlete.aliases, list) else []
        return {fold(name) for name in [self.athlete.name, *aliases] if isinstance(name, str)}


NUMBER = re.compile(r"#?([0-9]{1,6})")
# The label the page writes: "12 Charles Hamelin (CAN)", or "J. R. Celski (USA)" off the list.
LABEL = re.compile(r"(?:[0-9]{1,6} )?(?P<name>.+?) \((?P<nation>[A-Za-z]{3})\)")


def labelled_name(text: str) -> str:
    """The name in a label the page wrote ("J. R. Celski" of "J. R. Celski (USA)"), else the
    text as typed."""
    label = LABEL.fullmatch(text.strip())
    return label.group("name") if label else text.strip()


def matches(text: str, skaters: Iterable[Skater]) -> list[Skater]:
    """The skaters a typed text names, by the first way that names any: the whole label; a
    label's name and nation, whatever its helmet number; a helmet number ("12", or "#12" for
    the helmet only) or an ISU id; the name or another spelling; a part of one ("hamelin")."""
    folded, skaters = fold(text), list(skaters)
    number = NUMBER.fullmatch(text.strip())
    helmet = int(number.group(1)) if number else None

    def by_number(s: Skater) -> bool:
        isu_id = s.athlete.isu_id and not text.strip().startswith("#")
        return (helmet is not None and s.helmet == helmet) or bool(
            isu_id and fold(s.athlete.isu_id) == folded
        )

    label = LABEL.fullmatch(text.strip())

    def by_label(s: Skater) -> bool:  # the name and nation of a label, its helmet number aside
        return (
            bool(label)
            and fold(label["name"]) in s.names()
            and (label["nation"].upper() == s.nation_id)
        )

    ways = [
        lambda s: fold(s.label) == folded,
        by_label,
        by_number,
        lambda s: folded in s.names(),
        lambda s: any(folded in name for name in s.names()),
    ]
    for way in ways:
        found = {s.athlete.pk: s for s in skaters if way(s)}
        if found:
            return list(found.values())
    return []


class SkaterFinder:
    """Finds the skater an official typed: on the round's start list first, then on the
    event's entry list, then among every skater of the race's gender (a relay's members: of
    the team's nation). The entry list is read once; the other skaters in at most two queries
    for all the texts of a page (`look_up`)."""

    SHOWN = 4  # candidates an ambiguous text lists
    LIMIT = 200  # skaters a part of a name may bring back from the database

    def __init__(
        self,
        race: Race,
        entries: list[EventEntry],
        start_list: Iterable[tuple[Athlete, str]] = (),
    ) -> None:
        self.race = race
        self.entered = {e.athlete_id: Skater(e.athlete, e.nation_id, e.helmet) for e in entries}
        admitted = [self.skater(athlete, nation_id) for athlete, nation_id in start_list]
        self.tiers = [admitted, list(self.entered.values())]
        self.others: dict[str, list[Skater]] = {}  # a text → the skaters it found in the database
        self.genders = SKATER_GENDERS if race.gender == Gender.MIXED else (race.gender,)
        self._nations: set[str] | None = None

    def skater(self, athlete: Athlete, nation_id: str | None = None) -> Skater:
        """The athlete as the page writes them: by the entry list when they are on it."""
        return self.entered.get(athlete.pk) or Skater(athlete, nation_id or athlete.nation_id)

    def nations(self) -> set[str]:
        if self._nations is None:
            self._nations = set(Nation.objects.values_list("code", flat=True))
        return self._nations

    def look_up(self, texts: Iterable[str]) -> None:
        """Read, in at most two queries, the skaters the database holds for the texts that
        no skater of the start and entry lists answers."""
        self.fetch(
            {
                text.strip()
                for text in texts
                if text.strip()
                and text.strip() not in self.others
                and not any(matches(text, tier) for tier in self.tiers)
            }
        )

    def fetch(self, wanted: set[str]) -> None:
        """The skaters of the race's gender these texts name: by ISU id or whole name, else
        by a part of a name or of another spelling."""
        if not wanted:
            return
        skaters = Athlete.objects.filter(gender__in=self.genders)
        exact = reduce(
            or_,
            (Q(isu_id__iexact=t) | Q(name__iexact=t) | Q(name__iexact=labelled_name(t))
             for t in wanted),
        )  # fmt: skip
        found = [self.skater(athlete) for athlete in skaters.filter(exact)]
        for text in wanted:
            self.others[text] = matches(text, found)
        partial = [text for text in wanted if not self.others[text]]
        if partial:
            some = reduce(
                or_,
                (Q(name__icontains=name) | Q(aliases__icontains=name)
                 for name in {labelled_name(t) for t in partial}),
            )  # fmt: skip
            found = [self.skater(athlete) for athlete in skaters.filter(some)[: self.LIMIT]]
            for text in partial:
                self.others[text] = matches(text, found)

    def find(self, text: str, nation: str | None = None) -> Skater:
        """The one skater the text names, else a ValidationError that says why not."""
        text = text.strip()
        for tier in [*self.tiers, None]:
            if tier is None:  # off the start and entry lists: in the database
                if text not in self.others:
                    self.fetch({text})
                tier = self.others[text]
            found = [s for s in matches(text, tier) if nation is None or s.nation_id == nation]
            if len(found) == 1:
                return found[0]
            if found:
                shown = ", ".join(s.label for s in found[: self.SHOWN])
                more = " …" if len(found) > self.SHOWN else ""
                raise ValidationError(
                    f"{text!r} could be {shown}{more}: type the helmet number, the ISU id or "
                    "more of the name.",
                    code="ambiguous",
                )
        gender = Gender(self.race.gender)
        among = "skaters" if gender == Gender.MIXED else gender.label.lower()
        raise ValidationError(
            f"No {nation + ' ' if nation else ''}skater {text!r} on the entry list or among "
            f"the {among}: type a helmet number, an ISU id or a name.",
            code="unknown",
        )


# --- The page's forms -------------------------------------------------------------------------


class CodeField(forms.CharField):
    """A status or qualification typed as the ISU writes it. A qualification's case counts
    (Q by place, q on time); a status is one whatever its case (pen is PEN)."""

    def __init__(self, words: Any, *, upper: bool = False, datalist: str, **kwargs: Any) -> None:
        self.codes = [code for code in words.values if code]
        self.upper = upper
        widget = forms.TextInput(
            attrs={"size": 4, "autocomplete": "off", "list": datalist, "spellcheck": "false"}
        )
        super().__init__(required=False, max_length=3, widget=widget, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        text = text.upper() if self.upper else text
        if text and text not in self.codes:
            raise ValidationError(
                f"{text!r} is none of the codes {', '.join(self.codes)}"
                + ("." if self.upper else " (their case counts).")
            )
        return text


def number_field(label: str, size: int = 3) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=999,
        widget=forms.TextInput(attrs={"size": size, "inputmode": "numeric", "autocomplete": "off"}),
    )


class HeatLineForm(forms.Form):
    """One line of a heat of an individual race: the skater as typed, the place, time, status,
    qualification and start position. A line left empty (but for a place) is no line."""

    place = number_field("Place")
    athlete = forms.CharField(
        label="Skater",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"size": 26, "list": "heat-skaters", "autocomplete": "off", "class": "skater"}
        ),
    )
    time = RaceTimeField(required=False)
    status = CodeField(Status, upper=True, datalist="heat-statuses")
    qualification = CodeField(Qualification, label="Qualification", datalist="heat-codes")
    start = number_field("Start")

    def __init__(self, *args: Any, finder: SkaterFinder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finder = finder
        self.empty_permitted = True  # a line left empty is skipped, never refused
        for name, field in self.fields.items():
            field.widget.attrs["aria-labelledby"] = f"heat-col-{name} {self.prefix}-line"
            field.widget.attrs["data-field"] = name

    def has_changed(self) -> bool:
        """Whether the line says anything: who, time, status, qualification or start (the
        page may have filled in the place of an empty line)."""
        return any(str(self[name].value() or "").strip() for name in self.fields if name != "place")

    def texts(self) -> list[str]:
        """The skaters the line names, as typed (to look them up all at once)."""
        return [str(self["athlete"].value() or "")]

    def clean_athlete(self) -> Skater:
        text = self.cleaned_data["athlete"]
        if not text:
            raise ValidationError(INDIVIDUAL_NEEDS_ATHLETE)
        return self.finder.find(text)

    def heat_line(self, number: int) -> HeatLine:
        """The line as `Race.write_heats` takes it: unsaved, with its row number."""
        data = self.cleaned_data
        line = HeatLine(
            place=data["place"],
            time=data["time"],
            status=data["status"],
            qualification=data["qualification"],
            start=data["start"],
        )
        self.competitor(line, data)
        line.line = number
        return line

    def competitor(self, line: HeatLine, data: dict) -> None:
        line.athlete, line.nation_id = data["athlete"].athlete, data["athlete"].nation_id


def split_members(text: str) -> list[str]:
    """Relay members as typed: separated by semicolons (as the page writes them) or commas."""
    return [part.strip() for part in re.split(";" if ";" in text else ",", text) if part.strip()]


class RelayLineForm(HeatLineForm):
    """One line of a heat of a relay: the team's nation and its members instead of a skater."""

    athlete = None
    nation = forms.CharField(
        label="Team",
        required=False,
        max_length=3,
        widget=forms.TextInput(
            attrs={"size": 4, "list": "heat-teams", "autocomplete": "off", "class": "team"}
        ),
    )
    members = forms.CharField(
        label="Members",
        required=False,
        max_length=600,
        help_text="Helmet numbers or names, separated by commas.",
        widget=forms.TextInput(attrs={"size": 30, "autocomplete": "off", "class": "members"}),
    )
    field_order = ["place", "nation", "members", "time", "status", "qualification", "start"]

    def texts(self) -> list[str]:
        return split_members(str(self["members"].value() or ""))

    def clean_nation(self) -> str:
        code = self.cleaned_data["nation"].upper()
        if not code:
            raise ValidationError(RELAY_NEEDS_NATION)
        if code not in self.finder.nations():
            raise ValidationError(f"{code!r} is no nation's code (the ISU's three letters: KOR).")
        return code

    def clean(self) -> dict:
        data = super().clean()
        members, problems = [], []
        if data.get("nation"):
            for text in split_members(data.get("members", "")):
                try:
                    members.append(self.finder.find(text, nation=data["nation"]))
                except ValidationError as error:
                    problems += error.messages
        if problems:
            self.add_error("members", problems)
        data["members"] = members
        return data

    def competitor(self, line: HeatLine, data: dict) -> None:
        line.nation_id = data["nation"]
        line.member_ids = [member.athlete.pk for member in data["members"]]


class HeatLineFormSet(forms.BaseFormSet):
    """A heat's lines, numbered 1, 2, … as the page's rows; empty rows are skipped."""

    def __init__(self, *args: Any, finder: SkaterFinder, **kwargs: Any) -> None:
        super().__init__(*args, form_kwargs={"finder": finder}, **kwargs)
        self.finder = finder

    def check_management(self) -> None:
        """The counts of lines the page sent are ones it could have sent: else the request
        was damaged or tampered with, and is refused whole."""
        management = self.management_form
        if not management.is_valid():
            raise BadRequest("The heat's count of lines was damaged: open the heat again.")
        total, initial = (
            management.cleaned_data["TOTAL_FORMS"],
            management.cleaned_data["INITIAL_FORMS"],
        )
        if not 0 <= initial <= total <= MAX_LINES:
            raise BadRequest(
                f"The heat's count of lines was damaged ({total} lines, {initial} shown at "
                f"first; a heat has up to {MAX_LINES}): open the heat again."
            )

    def look_up(self) -> None:
        self.finder.look_up(text for form in self.forms for text in form.texts())

    def lines(self) -> list[HeatLine]:
        return [form.heat_line(row) for row, form in enumerate(self.forms, 1) if form.has_changed()]

    def show(self, problems: dict[int, list[tuple[str, str]]]) -> list[str]:
        """Put the problems of `Race.write_heats` next to their line and column; return the
        ones of no line of this heat (a line of another heat, or of none)."""
        elsewhere = []
        for row, found in sorted(problems.items()):
            for column, message in found:
                text = sentence(message)
                if 1 <= row <= len(self.forms):
                    form = self.forms[row - 1]
                    field = "nation" if column == "athlete" and "nation" in form.fields else column
                    form.add_error(field if field in form.fields else None, text)
                else:
                    elsewhere.append(text)
        return elsewhere


def sentence(message: str) -> str:
    """A rule's clause as a sentence: 'place 3 repeats: …' → 'Place 3 repeats: ….'"""
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def line_formset(race: Race) -> type[HeatLineFormSet]:
    return forms.formset_factory(
        RelayLineForm if race.is_relay else HeatLineForm,
        formset=HeatLineFormSet,
        extra=0,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
        validate_max=True,
    )


class HeatForm(forms.Form):
    """Which heat the page enters: the address's round and heat, and the hidden fields of its
    form (with the lines the heat had when the page was drawn)."""

    round = forms.ChoiceField(
        choices=RoundName.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Say which round: ?round=heats, say.",
            "invalid_choice": "There is no round %(value)s: the rounds are "
            + ", ".join(RoundName.values)
            + ".",
        },
    )
    heat = forms.IntegerField(
        min_value=1,
        max_value=999,
        widget=forms.HiddenInput,
        error_messages={
            key: "A heat is numbered from 1 to 999."
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    seen = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def chosen(self) -> tuple[str, int]:
        """The round and heat, or a 400 that says what is wrong with them."""
        if not self.is_valid():
            raise BadRequest(" ".join(m for errors in self.errors.values() for m in errors))
        return self.cleaned_data["round"], self.cleaned_data["heat"]


class ReasonForm(forms.Form):
    reason = reason_field()


CONFLICT = (
    "Another official saved this heat after you opened it; nothing of yours was saved. Open "
    "the heat again to see their lines, then enter yours."
)

# --- The heat as the page shows it -----------------------------------------------------------


def heats_url(race: Race, round_: str, heat: int, **more: str) -> str:
    query = urlencode({"round": round_, "heat": heat, **more})
    return f"{reverse('admin:results_race_heats', args=[race.pk])}?{query}"


def in_place_order(line: HeatLine) -> tuple:
    return (line.place is None, line.place or 0, line.pk or 0)


class HeatPage:
    """A race's rounds as the page shows them for one heat: its lines, the start list, the
    heats entered, the classification so far. Read in a fixed number of queries: the race's
    heat lines (and a relay's members) and the event's entry list."""

    def __init__(self, race: Race) -> None:
        self.race = race
        lines = HeatLine.objects.filter(round__race=race).select_related("round", "athlete")
        if race.is_relay:
            lines = lines.prefetch_related("members")
        self.lines = list(lines)
        self.entries = list(
            EventEntry.objects.filter(event_id=race.event_id).select_related("athlete")
        )
        self.round, self.heat = self.latest()

    def latest(self) -> tuple[str, int]:
        """The heat a page opens at with none named: the last one entered, else heat 1 of
        the heats."""
        if not self.lines:
            return RoundName.HEATS, 1
        line = max(self.lines, key=lambda line: (line.order, line.heat))
        return line.round.name, line.heat

    def open(self, round_: str, heat: int) -> None:
        self.round, self.heat = round_, heat
        self.heat_lines = sorted(
            (line for line in self.lines if (line.round.name, line.heat) == (round_, heat)),
            key=in_place_order,
        )
        elsewhere = {
            line.competitor_key
            for line in self.lines
            if line.round.name == round_ and line.heat != heat
        }
        earlier = [line for line in self.lines if line.order < ROUND_ORDER.index(round_)]
        by_key = {line.competitor_key: line for line in sorted(earlier, key=lambda x: x.order)}
        self.after_the_first = bool(earlier)
        self.start_list = [
            by_key[key]
            for key in admitted([line.as_round_line() for line in earlier], round_)
            if key not in elsewhere
        ]
        self.finder = SkaterFinder(
            self.race,
            self.entries,
            [(line.athlete, line.nation_id) for line in self.start_list if line.athlete_id],
        )

    @property
    def seen(self) -> str:
        """What the heat held when the page was drawn: its lines' ids (a save writes new
        lines, so another official's save changes them)."""
        return fingerprint(line.pk for line in self.heat_lines)

    def formset(self, data: Any = None) -> HeatLineFormSet:
        FormSet = line_formset(self.race)
        if data is not None:
            formset = FormSet(data, prefix="lines", finder=self.finder)
            formset.check_management()
            formset.look_up()
            return formset
        return FormSet(initial=self.initial(), prefix="lines", finder=self.finder)

    def initial(self) -> list[dict]:
        """The heat's lines; for an empty final, its start list (the skaters admitted to it);
        then empty lines."""
        if self.heat_lines:
            rows = [self.initial_of(line) for line in self.heat_lines]
        elif self.round in FINALS:
            rows = [self.who(line) for line in self.start_list]
        else:
            rows = []
        return rows + [{} for _ in range(max(ROWS - len(rows), EXTRA))]

    def who(self, line: HeatLine) -> dict:
        if not self.race.is_relay:
            return {"athlete": self.finder.skater(line.athlete, line.nation_id).label}
        members = "; ".join(self.finder.skater(member).label for member in line.members.all())
        return {"nation": line.nation_id, "members": members}

    def initial_of(self, line: HeatLine) -> dict:
        return {
            "place": line.place,
            **self.who(line),
            "time": line.time,
            "status": line.status,
            "qualification": line.qualification,
            "start": line.start,
        }

    # --- What else the page shows

    def offered(self) -> list[str]:
        """The skaters (relay: teams) the page offers as the official types: the start list
        of a round after the first (nobody else), else the event's entry list."""
        if self.race.is_relay:
            teams = self.start_list if self.after_the_first else self.entries
            return sorted({line.nation_id for line in teams})
        if self.after_the_first:
            return [
                self.finder.skater(line.athlete, line.nation_id).label for line in self.start_list
            ]
        return [skater.label for skater in self.finder.entered.values()]

    def start_list_labels(self) -> list[str]:
        if self.race.is_relay:
            return [line.nation_id for line in self.start_list]
        return [self.finder.skater(line.athlete, line.nation_id).label for line in self.start_list]

    def rounds(self) -> list[dict]:
        """Every round with its heats entered (and their lines), each a link; a new heat of a
        round after its last (finals have one heat)."""
        counts = Counter((line.round.name, line.heat) for line in self.lines)
        rounds = []
        for name in ROUND_ORDER:
            heats = sorted(heat for round_, heat in counts if round_ == name)
            links = [
                {
                    "label": f"heat {heat}",
                    "lines": counts[(name, heat)],
                    "url": heats_url(self.race, name, heat),
                    "current": (name, heat) == (self.round, self.heat),
                }
                for heat in heats
            ]
            if not heats or name not in FINALS:
                new = max(heats, default=0) + 1
                links.append(
                    {
                        "label": f"heat {new}" if heats else "heat 1",
                        "lines": 0,
                        "url": heats_url(self.race, name, new),
                        "current": (name, new) == (self.round, self.heat),
                    }
                )
            rounds.append({"label": RoundName(name).label, "heats": links})
        return rounds

    def still_to_skate(self) -> bool | None:
        """Whether a skater (relay: team) the round admits has no heat of it yet: after the
        first round, of those the earlier codes admit; in the first, of the entry list.
        None when nothing says (a first round with no entry list)."""
        placed = {line.competitor_key for line in self.lines if line.round.name == self.round}
        if self.after_the_first:
            earlier = [line for line in self.lines if line.order < ROUND_ORDER.index(self.round)]
            return bool(set(admitted([line.as_round_line() for line in earlier], self.round))
                        - placed)  # fmt: skip
        if not self.entries:
            return None
        if self.race.is_relay:
            entered = {f"team:{entry.nation_id}" for entry in self.entries}
        else:
            entered = {f"athlete:{entry.athlete_id}" for entry in self.entries}
        return bool(entered - placed)

    def next_heats(self) -> list[dict]:
        """The heats an official enters next: the next heat of this round while a skater it
        admits has none, and the next round of the race's programme (`programme_rounds`; the
        round after this one when the programme has none further)."""
        found = []
        if self.round not in FINALS and self.still_to_skate() is not False:
            found.append((self.round, self.heat + 1))
        index = ROUND_ORDER.index(self.round)
        programme = self.race.programme_rounds()
        later = [name for name in ROUND_ORDER[index + 1 :] if name in programme]
        following = later[:1] or list(ROUND_ORDER[index + 1 : index + 2])
        if following == [RoundName.FINAL_B]:
            following.append(RoundName.FINAL_A)
        found += [(name, 1) for name in following]
        return [
            {
                "label": f"{RoundName(name).label}, heat {heat}",
                "url": heats_url(self.race, name, heat),
            }
            for name, heat in found
        ]

    def classification(self) -> list[dict]:
        """The final classification the rounds entered so far give (the season's rule):
        the race's result lines once the Final A is in."""
        placings = classify(
            [line.as_round_line() for line in self.lines],
            self.race.event.season.classification_rule,
        )
        last = {line.competitor_key: line for line in sorted(self.lines, key=lambda x: x.order)}
        return [
            {
                "rank": placing.rank,
                "who": last[placing.competitor].athlete.name
                if last[placing.competitor].athlete_id
                else last[placing.competitor].nation_id,
                "nation": last[placing.competitor].nation_id,
                "round": RoundName(placing.round).label if placing.round else "",
                "status": placing.status,
                "time": format_time(placing.time),
            }
            for placing in placings
        ]

    @property
    def final_a_in(self) -> bool:
        return any(line.round.name == RoundName.FINAL_A for line in self.lines)


def fingerprint(ids: Iterable[int | None]) -> str:
    return ",".join(str(pk) for pk in sorted(pk for pk in ids if pk is not None))


# --- The views -------------------------------------------------------------------------------


class RaceHeatsView(View):
    """A view of a race's heats: for officials who may change races and enter heat lines."""

    model_admin: Any = None

    def dispatch(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not all(request.user.has_perm(permission) for permission in PERMISSIONS):
            raise PermissionDenied
        if not self.model_admin.is_id(unquote(object_id)):
            raise Http404(f"There is no race {object_id!r}.")
        race = self.model_admin.get_object(request, unquote(object_id))
        if race is None:
            raise Http404(f"There is no race {object_id!r}.")
        self.race = race
        return super().dispatch(request, object_id)


class HeatEntryView(RaceHeatsView):
    """The heat entry page: the heat's lines as a form; a save writes them all or nothing."""

    template_name = "admin/results/race/heats.html"

    def get(self, request: HttpRequest, object_id: str) -> HttpResponse:
        page = HeatPage(self.race)
        query = request.GET
        default_heat = 1 if "round" in query else page.heat
        data = {"round": query.get("round", page.round), "heat": query.get("heat", default_heat)}
        page.open(*HeatForm(data).chosen())
        return self.render(request, page, page.formset(), ReasonForm())

    def post(self, request: HttpRequest, object_id: str) -> HttpResponse:
        heat_form = HeatForm(request.POST)
        round_, heat = heat_form.chosen()
        page = HeatPage(self.race)
        page.open(round_, heat)
        formset, reason = page.formset(request.POST), ReasonForm(request.POST)
        errors: list[str] = []
        if formset.is_valid() and reason.is_valid():
            lines = formset.lines()
            try:
                changed = self.save(page, lines, reason.cleaned_data["reason"], heat_form)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors = formset.show(
                        {row: [e.message for e in found] for row, found in error.error_dict.items()}
                    )
                elif error.code == "reason":
                    reason.add_error("reason", error)
                else:
                    errors = error.messages
            except IntegrityError as error:  # a save in between that the checks did not see
                errors = [f"The database refused the heat ({str(error).splitlines()[0][:200]})."]
            else:
                messages.success(request, saved_message(page, len(lines), bool(changed)))
                return HttpResponseRedirect(heats_url(self.race, round_, heat, saved="1"))
        return self.render(
            request, page, formset, reason, errors, seen=heat_form.cleaned_data["seen"]
        )

    def save(self, page: HeatPage, lines: list[HeatLine], reason: str, heat_form: HeatForm) -> int:
        """Write the heat, unless another official saved it since the page was drawn; whether
        it changed (1) or was saved as it was (0)."""
        race = page.race
        with transaction.atomic():
            Race.objects.select_for_update().filter(pk=race.pk).values_list("pk").first()
            now = HeatLine.objects.filter(
                round__race=race, round__name=page.round, heat=page.heat
            ).values_list("pk", flat=True)
            if fingerprint(now) != heat_form.cleaned_data["seen"]:
                raise ValidationError(CONFLICT, code="conflict")
            return race.write_heats({(page.round, page.heat): lines}, reason, self.request.user)

    def render(
        self,
        request: HttpRequest,
        page: HeatPage,
        formset: HeatLineFormSet,
        reason: ReasonForm,
        errors: Iterable[str] = (),
        seen: str | None = None,
    ) -> HttpResponse:
        race = page.race
        heat_form = HeatForm(
            initial={
                "round": page.round,
                "heat": page.heat,
                "seen": page.seen if seen is None else seen,
            }
        )
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Race._meta,
            "original": race,
            "title": f"{race}: {RoundName(page.round).label}, heat {page.heat}",
            "race": race,
            "page": page,
            "round_label": RoundName(page.round).label,
            "heat_form": heat_form,
            "formset": formset,
            "reason": reason,
            "errors": list(errors),
            "is_final": page.round in FINALS,
            "reason_rule": correction_rule(race),
            "saved": request.GET.get("saved") == "1" and request.method == "GET",
            "classification": page.classification() if page.lines else [],
            "statuses": [s for s in Status if s.value],
            "codes": [q for q in Qualification if q.value],
        }
        return TemplateResponse(request, self.template_name, context)


def correction_rule(race: Race) -> str:
    """What the race's own rule says of a correction, when one would need a reason."""
    try:
        race.check_correction("")
    except ValidationError as error:
        return error.messages[0]
    return ""


def saved_message(page: HeatPage, count: int, changed: bool = True) -> str:
    where = f"{RoundName(page.round).label}, heat {page.heat}"
    if not changed:
        return f"{where} saved as it was ({plural(count, 'line')}): nothing changed."
    if page.round == RoundName.FINAL_A or page.final_a_in:
        after = "the race's classification follows from its rounds."
    else:
        after = (
            "the classification so far is below; it becomes the race's classification once "
            "the Final A is saved."
        )
    return f"{where} saved with {plural(count, 'line')}: {after}"


class SkaterLookupView(RaceHeatsView):
    """Who a typed skater is, as the heat page finds them (JSON for static/js/heat-entry.js):
    {"label": …} or {"error": …}."""

    def get(self, request: HttpRequest, object_id: str) -> HttpResponse:
        query = request.GET
        text = query.get("q", "").strip()[:200]
        nation = query.get("nation", "").strip().upper()[:3] or None
        heat = HeatForm(
            {"round": query.get("round", RoundName.HEATS), "heat": query.get("heat", "1")}
        )
        if not text:
            return JsonResponse({"error": "Type a helmet number, an ISU id or a name."})
        page = HeatPage(self.race)
        page.open(*heat.chosen())
        try:
            skater = page.finder.find(text, nation=nation)
        except ValidationError as error:
            return JsonResponse({"error": error.messages[0]})
        return JsonResponse({"label": skater.label, "name": skater.athlete.name})
