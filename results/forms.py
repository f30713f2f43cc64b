"""The admin's forms, fields and widgets: what an official types, checked before it is saved."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest

from results.models import (
    Adjustment,
    Athlete,
    Event,
    EventEntry,
    Nation,
    Race,
    Result,
    Season,
    default_tie_break,
)
from results.standings.classification import RANK_FROM_ONE, RELAY_NEEDS_NATION
from results.standings.rounds import entry_list_problems
from results.vocabulary import (
    INDIVIDUAL_DISTANCES,
    RaceState,
    Status,
    format_time,
    parse_time,
    shown,
)

# --- Form fields ----------------------------------------------------------------------------


class ListField(forms.CharField):
    """A JSON list edited as text: items separated by commas (or one per line)."""

    def __init__(self, *, item: type = str, separator: str = ",", **kwargs: Any) -> None:
        self.item = item
        self.separator = separator
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return (self.separator + ("" if self.separator == "\n" else " ")).join(map(str, value))
        return value

    def to_python(self, value: Any) -> list:
        text = super().to_python(value)
        items = [part.strip() for part in text.replace("\n", self.separator).split(self.separator)]
        try:
            return [self.item(part) for part in items if part]
        except ValueError as error:
            raise forms.ValidationError(
                "Write whole numbers separated by commas, e.g. 1000, 800, 640."
            ) from error


class RaceTimeField(forms.Field):
    """A race time typed as the ISU writes it: 39.937 or 1:26.661."""

    widget = forms.TextInput(attrs={"size": 9, "inputmode": "decimal"})

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else format_time(value)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_time(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def is_key(field: Any, value: Any) -> bool:
    """Whether the value is one the field's column could hold (type and range)."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def key_field(model: Any, name: str | None) -> Any:
    """The field a relation to `model` points at: `name`, or the primary key."""
    return model._meta.get_field(name) if name else model._meta.pk


class KeyedAutocomplete:
    """An autocomplete that redisplays a refused form without looking up posted values that are
    not keys at all (Django's would hand "abc" to the database as an id and fail)."""

    def optgroups(self, name: str, value: list, attr: Any = None) -> list:
        target = self.field.remote_field
        key = key_field(target.model, getattr(target, "field_name", None))
        return super().optgroups(name, [v for v in value if is_key(key, v)], attr)


class LoadedAutocompleteSelect(KeyedAutocomplete, AutocompleteSelect):
    """Autocomplete that renders the selected label the row already loaded, when its formset
    gave it one (no query per row), and checks posted values as keys."""

    loaded: dict[str, str] | None = None

    def optgroups(self, name: str, value: list, attr: Any = None) -> list:
        selected = [str(v) for v in value if str(v) not in ("", "None")]
        if not self.loaded or not all(v in self.loaded for v in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options += [
            self.create_option(name, v, self.loaded[v], True, len(options)) for v in selected
        ]
        return [(None, options, 0)]


class KeyedAutocompleteSelectMultiple(KeyedAutocomplete, AutocompleteSelectMultiple):
    """Autocomplete of several rows (relay members) that renders the labels its formset
    loaded with the row (no query per row), and checks posted values as keys."""

    loaded: dict[str, str] | None = None

    def optgroups(self, name: str, value: list, attr: Any = None) -> list:
        selected = [str(v) for v in value if str(v) not in ("", "None")]
        if self.loaded is None or not all(v in self.loaded for v in selected):
            return super().optgroups(name, value, attr)
        options = [
            self.create_option(name, v, self.loaded[v], True, index)
            for index, v in enumerate(selected)
        ]
        return [(None, options, 0)]


class KeyedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows chosen by key, each posted value checked as a key before any lookup."""

    def _check_values(self, value: Any) -> QuerySet:
        key = key_field(self.queryset.model, self.to_field_name)
        for item in value or ():
            if not is_key(key, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class KeyedAutocompleteFields:
    """Admin (or inline) whose autocomplete fields use the keyed widgets."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LoadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = KeyedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs.setdefault("form_class", KeyedMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Forms ----------------------------------------------------------------------------------


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Kept in the history with your name and the time. Required to correct an "
        'official race (e.g. "Appeal upheld: CAN reinstated 2nd") or the rules of a season '
        "whose standings are public.",
    )


# --- Two officials, one row: the revision the form was drawn from ---------------------------


def latest_change(instance: Any) -> str:
    """Who last saved the row, when, why and what changed (old → new), from its history; for
    a race also its lines'."""
    records = [instance.history.order_by("-history_date", "-history_id").first()]
    if isinstance(instance, Race):
        records.append(
            Result.history.filter(race_id=instance.pk)
            .order_by("-history_date", "-history_id")
            .first()
        )
    records = [record for record in records if record is not None]
    if not records:
        return ""
    record = max(records, key=lambda r: r.history_date)
    who = record.history_user.get_username() if record.history_user else "someone"
    what = []
    previous = record.prev_record
    if record.history_type == "~" and previous is not None:
        what = [
            f"{change.field.replace('_', ' ')} {shown(change.old)} → {shown(change.new)}"
            for change in record.diff_against(previous).changes
        ]
    elif record.history_type in "+-":
        what = [f"{'added' if record.history_type == '+' else 'removed'} {record.instance}"]
    reason = f", “{record.history_change_reason}”" if record.history_change_reason else ""
    return (
        f" Their save ({who}, {record.history_date:%-d %b %Y %H:%M} UTC{reason}): "
        + ("; ".join(what) or "no field of this page changed")
        + "."
    )


class StoredChangesForm(forms.ModelForm):
    """A change page's form that knows which fields a save changes. A history page's
    "restore" form is drawn with an earlier version's values (`drawn_from_history`, set by
    the admin): its changes are counted against the row as it is stored, so a revert is held
    to the rules of the change it makes."""

    OWN_FIELDS: tuple[str, ...] = ("change_reason",)
    drawn_from_history = False

    def edited(self) -> list[str]:
        """The fields the save changes, the form's own fields aside."""
        changed = [name for name in self.changed_data if name not in self.OWN_FIELDS]
        instance = self.instance
        if not (self.drawn_from_history and instance.pk):
            return changed
        stored = type(instance)._base_manager.filter(pk=instance.pk).first()
        if stored is None:
            return changed
        names = [name for name in self.fields if name not in self.OWN_FIELDS]
        initial = model_to_dict(stored, fields=names)
        return [
            name
            for name in names
            if name in initial
            and not self.fields[name].disabled
            and self.fields[name].has_changed(initial[name], self[name].data)
        ]


class DrawnRow(forms.ModelForm):
    """A row of a parent's page (an event's races, a season's events) that carries the values
    it was drawn with: what the official changed is told from them, not from the row as
    stored now, so a row another official changed since is left alone (neither checked for
    its revision nor written) when this page leaves it as it was."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


class RevisionCheckedForm(StoredChangesForm):
    """A change page's form (or an inline row) that carries the revision of the row it was drawn
    from. Saving checks it against the stored one, the row locked inside the admin's
    transaction: of two officials saving the same row, the second is refused, with the first
    one's change, and nothing of his is saved."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    OWN_FIELDS = ("change_reason", "seen_revision")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def changes_row(self) -> bool:
        """Whether the save changes the row (only then can it overwrite another's change)."""
        return bool(self.edited())

    def clean(self) -> dict:
        data = super().clean()
        instance = self.instance
        if instance.pk and self.changes_row():
            stored = (
                type(instance)
                ._base_manager.select_for_update()
                .filter(pk=instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
            if stored is not None and data.get("seen_revision") != stored:
                raise ValidationError(
                    f"Another official saved this {instance._meta.verbose_name} while you were "
                    "editing it. Nothing of yours was saved: open the page again to see their "
                    "change, then enter yours." + latest_change(instance),
                    code="conflict",
                )
        return data


class AthleteForm(forms.ModelForm):
    aliases = ListField(
        separator="\n",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Other spellings of the name, one per line (Viktor Ahn, Ahn Hyun-soo).",
    )

    class Meta:
        model = Athlete
        fields = ["name", "slug", "gender", "nation", "aliases", "isu_id"]


class SeasonForm(RevisionCheckedForm):
    change_reason = reason_field()
    points_table = ListField(
        item=int,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Points for each final rank, 1st first, separated by commas. "
        "Ranks below the last entry score 0.",
    )
    scoreless_statuses = forms.MultipleChoiceField(
        choices=[(s.value, f"{s.value} – {s.label}") for s in Status if s.value],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Statuses that score 0 even with a classified rank. "
        "A line with no classified rank always scores 0.",
    )
    tie_break = ListField(
        required=False,
        initial=default_tie_break,  # a new season shows (and keeps) the default chain
        help_text="Steps tried in order for equal net points: countback (more wins, then more "
        "second places, … over all results), last-race (better result in the most recent "
        "race). Empty: ties stand and the rank is shared.",
    )

    class Meta:
        model = Season
        fields = [
            "slug", "name", "start_date", "end_date", "points_table", "best_individual",
            "best_relay", "best_mixed_relay", "overall", "best_overall", "nations_classification",
            "scoreless_statuses", "tie_break", "classification_rule",
            "classification_rule_confidence", "rules_confidence", "rules_source", "source", "note",
        ]  # fmt: skip

    RULES = Season.RULES

    def clean(self) -> dict:
        data = super().clean()
        if any(name in self.edited() for name in self.RULES):
            try:
                self.instance.check_rules_change(data.get("change_reason", ""))
            except ValidationError as error:
                self.add_error("change_reason", error)
        return data


class EventForm(RevisionCheckedForm):
    change_reason = reason_field()

    class Meta:
        model = Event
        fields = ["season", "number", "city", "venue", "first_day", "last_day", "source", "note"]


class RaceForm(RevisionCheckedForm):
    """A race as its own page edits it: a change to an official race is a correction with the
    page's reason, and an official race is never unpublished."""

    change_reason = reason_field()
    REASON_FIELD: str | None = "change_reason"

    class Meta:
        model = Race
        fields = [
            "event", "gender", "distance", "number", "date", "record_note", "state",
            "completeness", "source", "note",
        ]  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        race = self.instance
        if race.pk and "state" in self.changed_data and data.get("state"):
            try:
                race.check_state(data["state"])
            except ValidationError as error:
                self.add_error("state", error)
        if self.edited() or self.lines_changed():
            try:
                race.check_correction(self.reason(data))
            except ValidationError as error:
                self.add_error(self.REASON_FIELD, error)
        return data

    def reason(self, data: dict) -> str:
        return data.get("change_reason", "")

    def changes_row(self) -> bool:
        return bool(self.edited()) or self.lines_changed()  # its lines are its own too

    def lines_changed(self) -> bool:
        """Whether the page's classification (the lines below the race) was changed: a
        correction of an official race too, with the reason given here."""
        lines = getattr(self.instance, "classification_formset", None)
        return lines is not None and lines.is_bound and lines.has_changed()


class RaceInlineForm(DrawnRow, RaceForm):
    """A race as a row of its event's page: the reason is the one given for the event page's
    save (the inline formset hands it over)."""

    change_reason = None  # the event page's reason field serves
    REASON_FIELD = None
    parent_reason = ""

    class Meta(RaceForm.Meta):
        fields = [
            "gender", "distance", "number", "date", "state", "completeness", "record_note",
        ]  # fmt: skip

    def reason(self, data: dict) -> str:
        return self.parent_reason


class NationCodeField(forms.ModelChoiceField):
    """A nation typed as its three-letter code (kor is KOR): no list of every nation per line."""

    def to_python(self, value: Any) -> Nation | None:
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


FROM_ROUNDS = (
    "This race is entered round by round: its classification follows from the rounds, so "
    "correct the heat lines (Rounds and heats, on the race's page)."
)


def skating_for() -> NationCodeField:
    """The nation a line's skater skates for, typed as its code; blank: the athlete's own."""
    return NationCodeField(
        queryset=Nation.objects.all(),
        required=False,
        widget=forms.TextInput(attrs={"size": 3, "maxlength": 3}),
        help_text="Three-letter code; blank: the athlete's nation.",
        error_messages={"invalid_choice": "Unknown nation code."},
    )


class ResultForm(forms.ModelForm):
    """A line of a classification, as the race page's inline edits it."""

    time = RaceTimeField(required=False, help_text="39.937 or 1:26.661")
    nation = skating_for()

    class Meta:
        model = Result
        fields = [
            "race", "rank", "athlete", "nation", "time", "status", "members", "source",
            "confidence", "note",
        ]  # fmt: skip
        widgets = {"source": forms.TextInput(attrs={"size": 30})}
        error_messages = {"rank": {"min_value": RANK_FROM_ONE}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Statuses by their ISU codes, as results sheets write them (a narrow column); a race
        # entered round by round shows its lines read-only, with no status field.
        if "status" in self.fields:
            self.fields["status"].choices = [(s.value, s.value or s.label) for s in Status]

    def race_of(self, data: dict) -> Race | None:
        """The line's race: as submitted, else as stored (an inline's parent race)."""
        return data.get("race") or (self.instance.race if self.instance.race_id else None)

    def clean(self) -> dict:
        data = super().clean()
        athlete, nation = data.get("athlete"), data.get("nation")
        race = self.race_of(data)
        if not nation:
            if athlete:
                self.instance.nation = data["nation"] = athlete.nation
            elif "athlete" not in self.errors and (race is None or race.is_relay):
                self.add_error("nation", RELAY_NEEDS_NATION)
        return data


class ResultChangeForm(RevisionCheckedForm, ResultForm):
    """One line on its own page: adding or correcting a line of an official race needs a
    reason, and a complete classification keeps every rank from 1."""

    change_reason = reason_field()

    def clean(self) -> dict:
        data = super().clean()
        race = self.race_of(data)
        if race is None:
            return data
        if self.edited():
            stored = self.instance.race if self.instance.race_id else None
            for changed_race in {race, stored} - {None}:
                try:
                    changed_race.check_correction(data.get("change_reason", ""))
                except ValidationError as error:
                    self.add_error("change_reason", error)
                    break
        if self.edited() and race.has_rounds:
            raise ValidationError(FROM_ROUNDS)
        rank = data.get("rank")
        if "rank" in self.changed_data and rank:
            others = list(race.results.exclude(pk=self.instance.pk).values_list("rank", flat=True))
            try:
                race.check_ranks(enumerate([*others, rank], 1))
                race.check_complete([*others, rank])
            except ValidationError as error:
                self.add_error("rank", error)
        return data


class LoadedLabelsFormSet(forms.BaseInlineFormSet):
    """Inline rows whose autocomplete fields show the labels the rows already loaded."""

    loaded_fields: tuple[str, ...] = ()
    loaded_many: tuple[str, ...] = ()  # many-to-many fields the queryset prefetched

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        for name in self.loaded_fields:
            if name not in form.fields:  # (a relay's lines name no athlete)
                continue
            related = getattr(form.instance, name) if getattr(form.instance, f"{name}_id") else None
            widget = form.fields[name].widget
            widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
            if related is not None and isinstance(widget, LoadedAutocompleteSelect):
                widget.loaded = {str(related.pk): str(related)}
        for name in self.loaded_many:
            widget = form.fields[name].widget if name in form.fields else None
            widget = getattr(widget, "widget", widget)
            if form.instance.pk and isinstance(widget, KeyedAutocompleteSelectMultiple):
                widget.loaded = {
                    str(row.pk): str(row) for row in getattr(form.instance, name).all()
                }
        return form


class ClassificationFormSet(LoadedLabelsFormSet):
    """The race's classification: the athlete labels come from the rows already loaded.

    Changing an official race's classification needs the reason given on the race's form; a
    classification marked complete has every rank from 1 with no gap.
    """

    loaded_fields = ("athlete",)
    loaded_many = ("members",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The race's form checks the reason for a change of these lines, at its reason field.
        self.instance.classification_formset = self

    def clean(self) -> None:
        super().clean()
        race = self.instance
        if self.has_changed() and race.has_rounds:
            raise ValidationError(FROM_ROUNDS)
        kept = [form for form in self.forms if not self._deleted(form)]
        rows = {row: form for row, form in enumerate(self.forms, 1) if form in kept}
        try:
            race.check_ranks((row, form.cleaned_data.get("rank")) for row, form in rows.items())
        except ValidationError as error:
            # Each problem at the line standing on the rank that should stay empty.
            for problem in error.error_list:
                for form in rows.values():
                    if form.cleaned_data.get("rank") == problem.params["taken"]:
                        form.add_error("rank", problem)
        race.check_complete(
            (form.cleaned_data.get("rank") for form in kept),
            completeness=self.data.get("completeness", ""),
        )

    def _deleted(self, form: forms.Form) -> bool:
        return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class EntryForm(forms.ModelForm):
    """A line of an event's entry list: the skater, the nation they skate for (blank: the
    athlete's own) and their helmet number there."""

    nation = skating_for()

    class Meta:
        model = EventEntry
        fields = ["athlete", "nation", "helmet"]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("nation") and data.get("athlete"):
            self.instance.nation = data["nation"] = data["athlete"].nation
        return data


class EntryListFormSet(LoadedLabelsFormSet):
    """An event's entry list: no skater and no helmet number twice, checked on the whole list
    as it will stand, before any line is written."""

    loaded_fields = ("athlete",)

    def validate_unique(self) -> None:
        """The repeats among the submitted lines are `entry_list_problems`' to name, in
        the sport's words, in `clean`."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not form.cleaned_data.get("DELETE") and "athlete" in form.cleaned_data
        ]
        lines = [
            (form.cleaned_data["athlete"].pk, form.cleaned_data.get("helmet")) for form in kept
        ]
        for line, (field, problem) in entry_list_problems(lines).items():
            kept[line].add_error(field, problem)

    def save(self, commit: bool = True) -> list:
        EventEntry.release_helmets(
            form.instance.pk
            for form in self.initial_forms
            if "helmet" in form.changed_data and not self._should_delete_form(form)
        )
        return super().save(commit)


class EventInlineForm(DrawnRow, RevisionCheckedForm):
    """An event as a row of its season's page."""

    class Meta:
        model = Event
        fields = ["number", "city", "venue", "first_day", "last_day"]


class EventFormSet(LoadedLabelsFormSet):
    loaded_fields = ("venue",)


class RaceFormSet(forms.BaseInlineFormSet):
    """The event page's races: each row is checked as the race's own page checks it, with the
    event page's reason; an official race is not deleted (it would be unpublished)."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.parent_reason = self.data.get("change_reason", "") if self.is_bound else ""
        return form

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk:
                try:
                    form.instance.check_state(RaceState.DRAFT)
                except ValidationError as error:
                    raise ValidationError(error.messages) from error


class AdjustmentForm(StoredChangesForm):
    """An adjustment of a line: of an official race's line, a correction with a reason."""

    change_reason = reason_field()

    class Meta:
        model = Adjustment
        fields = ["result", "kind", "points", "reason", "source"]

    def clean(self) -> dict:
        data = super().clean()
        result = data.get("result") or (self.instance.result if self.instance.result_id else None)
        if result is not None and self.edited():
            try:
                result.race.check_correction(data.get("change_reason", ""))
            except ValidationError as error:
                self.add_error("change_reason", error)
        return data


class AdjustmentFormSet(forms.BaseInlineFormSet):
    """A line's adjustment on the line's page: added, changed or deleted with the page's reason
    when the line's race is official."""

    def clean(self) -> None:
        super().clean()
        if self.has_changed() or self.deleted_forms:
            self.instance.race.check_correction(self.data.get("change_reason", ""))


# --- Action and import forms ---------------------------------------------------------------


class ProgrammeForm(forms.Form):
    """An event's standard programme: 500, 1000 and 1500 m and a relay for men and women."""

    men_doubled = forms.ChoiceField(
        label="Men's distance skated twice",
        choices=[("", "none")] + [(d.value, d.label) for d in INDIVIDUAL_DISTANCES],
        required=False,
    )
    women_doubled = forms.ChoiceField(
        label="Women's distance skated twice",
        choices=[("", "none")] + [(d.value, d.label) for d in INDIVIDUAL_DISTANCES],
        required=False,
    )
    relays = forms.BooleanField(
        label="Men's 5000 m and women's 3000 m relays", initial=True, required=False
    )
    mixed_relay = forms.BooleanField(label="Mixed 2000 m relay", required=False)


PUBLISH_CHOICES = [
    (RaceState.DRAFT.value, "Draft (staff only)"),
    (RaceState.PROVISIONAL.value, "Provisional"),
    (RaceState.OFFICIAL.value, "Official"),
]


class ImportForm(forms.Form):
    """Upload a classification or rounds file (CSV or XLSX) for a preview; nothing is written
    until confirmed."""

    MAX_BYTES = 1_500_000

    file = forms.FileField(
        help_text="A classification, rounds or entry-list file: CSV (UTF-8) or XLSX, in the "
        "documented format."
    )
    replace = forms.BooleanField(
        required=False,
        help_text="Replace the classification (or the rounds) of races, or the entry lists of "
        "events, that already have them.",
    )
    publish = forms.ChoiceField(choices=PUBLISH_CHOICES, initial=RaceState.DRAFT)
    reason = forms.CharField(
        required=False, max_length=100, help_text="Why; required to replace an official race."
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; the admin takes up to "
                f"{self.MAX_BYTES:,}. Import larger files with manage.py import_results."
            )
        return upload


class ConfirmImportForm(forms.Form):
    """The preview's choices, carried to the confirmation in hidden fields: each holds only
    what the preview page writes (anything else is a damaged or tampered request)."""

    content = forms.CharField(widget=forms.HiddenInput)
    filename = forms.RegexField(
        regex=r"^[^/\\\x00-\x1f]{1,200}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": "Not a file name the upload gave."},
    )
    replace = forms.TypedChoiceField(
        choices=[("True", "yes"), ("False", "no")],
        coerce=lambda value: value == "True",
        empty_value=False,
        required=False,
        widget=forms.HiddenInput,
    )
    publish = forms.ChoiceField(choices=PUBLISH_CHOICES, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        getlist = getattr(self.data, "getlist", lambda name: [self.data.get(name)])
        repeated = [name for name in self.fields if len(getlist(name)) > 1]
        if repeated:
            raise ValidationError(f"{', '.join(repeated)} given more than once.")
        if "content" in data:
            try:
                data["file"] = base64.b64decode(data["content"], validate=True)
            except (binascii.Error, ValueError):
                self.add_error("content", "Not the upload the preview carried.")
        return data

    def file_bytes(self) -> bytes:
        return self.cleaned_data["file"]
