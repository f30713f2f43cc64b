"""A race's change history as an official reads it: the race's versions, its classification
lines' and its heat lines', newest first, each with who, when, why and every field it changed
(old → new), relay members too."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models

from results.models import Athlete, HeatLine, Race, Result, Round
from results.vocabulary import FINALS, RoundName, shown

KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    """One field of a version, as it was and as it became."""

    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One saved version of the race or of one of its lines."""

    date: datetime
    who: str
    kind: str  # Created, Changed, Deleted
    what: str  # "race", or the line as it stood: "line 1. Charles Hamelin"
    reason: str
    changes: list[Change] = field(default_factory=list)
    version: int | None = None  # the race's version id (its page restores it); None: a line's


def race_history(race: int) -> list[Entry]:
    """Every version of the race (by id), of its lines and of its heat lines (deleted ones
    too), newest first, in six queries however long the history: the race's versions, its
    lines' versions, their members, its rounds, its heat lines' versions and the skaters they
    name."""
    versions = list(
        Race.history.filter(id=race)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    lines = list(
        Result.history.filter(race_id=race)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    members = members_by_version(race)
    rounds = dict(Round.history.filter(race_id=race).values_list("id", "name"))  # deleted too
    heat_lines = list(
        HeatLine.history.filter(round_id__in=list(rounds))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = dict(
        Athlete.objects.filter(
            pk__in={line.athlete_id for line in [*lines, *heat_lines] if line.athlete_id}
            | {pk for team in members.values() for pk in team}
        ).values_list("pk", "name")
    )
    labels = Labels(names, rounds)
    entries = [
        entry(record, previous, "race", labels, Race, version=record.history_id)
        for previous, record in zip([None, *versions], versions, strict=False)
    ]
    by_line: dict[int, list] = defaultdict(list)
    for record in lines:
        record.members_ = sorted(
            names.get(pk, str(pk)) for pk in members.get(record.history_id, ())
        )
        by_line[record.id].append(record)
    for records in by_line.values():
        for previous, record in saves(records):
            found = entry(record, previous, line_label(record, names), labels, Result)
            if record.history_type != "~" or found.changes:  # a save that changed nothing
                entries.append(found)
    by_competitor: dict[tuple, list] = defaultdict(list)  # one line per competitor per round
    for record in heat_lines:
        by_competitor[(record.round_id, record.athlete_id or record.nation_id)].append(record)
    for records in by_competitor.values():
        for previous, record in rewritten(records):
            label = heat_line_label(record, names, rounds)
            found = entry(record, previous, label, labels, HeatLine)
            if previous is not None and record.history_type == "+":
                found.kind = KINDS["~"]  # the heat's save wrote the line anew
            if found.kind != KINDS["~"] or found.changes:
                entries.append(found)
    entries.sort(key=lambda e: e.date, reverse=True)
    return entries


def saves(records: list) -> list[tuple[Any, Any]]:
    """(version before, version after) for each save of one line, oldest first. A save that
    sets the relay members writes a version for the line and one for each step of the
    members' change (removed, added): a run of changes with one author and reason in one
    second is one save."""
    pairs: list[tuple[Any, Any]] = []
    previous = None
    for record in records:
        last = pairs[-1][1] if pairs else None
        if (
            last is not None
            and record.history_type == last.history_type == "~"
            and (record.history_user_id, record.history_change_reason)
            == (last.history_user_id, last.history_change_reason)
            and (record.history_date - last.history_date).total_seconds() < 1
        ):
            pairs[-1] = (pairs[-1][0], record)
        else:
            pairs.append((previous, record))
        previous = record
    return pairs


def rewritten(records: list) -> list[tuple[Any, Any]]:
    """(version before, version after) for each save of one competitor's line in a round,
    oldest first. A heat's save writes its lines anew: a line removed and the competitor's
    line added by the same save (one author and reason, within a second) is one change of
    the line, compared field by field."""
    pairs: list[tuple[Any, Any]] = []
    previous = None
    for record in records:
        if (
            record.history_type == "+"
            and previous is not None
            and previous.history_type == "-"
            and (record.history_user_id, record.history_change_reason)
            == (previous.history_user_id, previous.history_change_reason)
            and (record.history_date - previous.history_date).total_seconds() < 1
        ):
            pairs[-1] = (previous, record)
        else:
            pairs.append((previous if record.history_type == "~" else None, record))
        previous = record
    return pairs


def members_by_version(race: int) -> dict[int, set[int]]:
    """The relay members each version of the race's lines had: version id → athlete ids."""
    kept = apps.get_model("results", "HistoricalResult_members")
    team: dict[int, set[int]] = defaultdict(set)
    rows = kept.objects.filter(history__race_id=race).values_list("history_id", "athlete_id")
    for version, athlete in rows:
        team[version].add(athlete)
    return team


def line_label(record: Any, names: dict[int, str]) -> str:
    """A line as it stood in this version: 'line 1. Charles Hamelin', 'line DNS KOR'."""
    who = names.get(record.athlete_id, "") if record.athlete_id else record.nation_id
    return f"line {f'{record.rank}.' if record.rank else record.status} {who}"


def heat_line_label(record: Any, names: dict[int, str], rounds: dict[int, str]) -> str:
    """A heat line as it stood in this version: 'Heats 3: 2. Charles Hamelin', 'Final A: PEN
    Wu Dajing', 'Semifinals 1: KOR' (a relay team)."""
    name = rounds.get(record.round_id, "")
    where = RoundName(name).label if name in RoundName.values else "round"
    if name not in FINALS:
        where += f" {record.heat}"
    who = names.get(record.athlete_id, "") if record.athlete_id else record.nation_id
    placed = f"{record.place}." if record.place else (record.status or "–")
    return f"{where}: {placed} {who}"


class Labels:
    """A stored value as the page shows it: choices by their label, skaters by name, rounds by
    their name, times as the ISU writes them."""

    def __init__(self, names: dict[int, str], rounds: dict[int, str] | None = None) -> None:
        self.names = names
        self.rounds = rounds or {}

    def __call__(self, model_field: models.Field, value: Any) -> str:
        if model_field.name == "athlete" and value:
            return self.names.get(value, str(value))
        if model_field.name == "round" and value in self.rounds:
            name = self.rounds[value]
            return str(RoundName(name).label) if name in RoundName.values else name
        if model_field.choices and value:
            return str(dict(model_field.flatchoices).get(value, value))
        return shown(value)


def entry(
    record: Any, previous: Any, what: str, labels: Labels, model: type, version: int | None = None
) -> Entry:
    user = record.history_user
    found = Entry(
        date=record.history_date,
        who=user.get_username() if user else "",
        kind=KINDS[record.history_type],
        what=what,
        reason=record.history_change_reason or "",
        version=version,
    )
    tracked = [
        f for f in model._meta.concrete_fields if f.name != "id" and hasattr(record, f.attname)
    ]
    if record.history_type in "~+" and previous is not None:  # "+": a line written anew
        for model_field in tracked:
            old, new = getattr(previous, model_field.attname), getattr(record, model_field.attname)
            if old != new:
                found.changes.append(
                    Change(
                        str(model_field.verbose_name),
                        labels(model_field, old),
                        labels(model_field, new),
                    )
                )
        old_team, new_team = getattr(previous, "members_", None), getattr(record, "members_", None)
        if old_team != new_team:
            found.changes.append(
                Change("members", ", ".join(old_team) or "(none)", ", ".join(new_team) or "(none)")
            )
    return found
