"""The officials' admin: one declarative ModelAdmin per model, in models.py order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from results.models import (
    Adjustment,
    Athlete,
    Event,
    Nation,
    Podium,
    PublishedStanding,
    Race,
    Result,
    Season,
    Status,
    Venue,
    format_time,
    parse_time,
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


class LoadedAutocompleteSelect(AutocompleteSelect):
    """Autocomplete that renders the selected label the row already loaded (no query per row)."""

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


# --- Forms ----------------------------------------------------------------------------------


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


class SeasonForm(forms.ModelForm):
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
        help_text="Steps tried in order for equal net points: countback (more wins, then more "
        "second places, … over all results), last-race (better result in the most recent "
        "race). Empty: ties stand and the rank is shared.",
    )

    class Meta:
        model = Season
        fields = [
            "slug", "name", "start_date", "end_date", "points_table", "best_individual",
            "best_relay", "best_mixed_relay", "overall", "best_overall", "nations_classification",
            "scoreless_statuses", "tie_break", "rules_confidence", "rules_source", "source", "note",
        ]  # fmt: skip


class ResultForm(forms.ModelForm):
    time = RaceTimeField(required=False, help_text="39.937 or 1:26.661")

    class Meta:
        model = Result
        fields = [
            "race", "rank", "athlete", "nation", "time", "status", "members", "source",
            "confidence", "note",
        ]  # fmt: skip
        widgets = {"source": forms.TextInput(attrs={"size": 30})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "nation" in self.fields:
            self.fields["nation"].required = False
            self.fields["nation"].help_text = "Blank: the athlete's nation."

    def clean(self) -> dict:
        data = super().clean()
        athlete, nation = data.get("athlete"), data.get("nation")
        if not nation:
            if athlete:
                self.instance.nation = data["nation"] = athlete.nation
            elif "athlete" not in self.errors:
                self.add_error("nation", "A relay line names the team's nation.")
        return data


class ClassificationFormSet(forms.BaseInlineFormSet):
    """The race's classification: the athlete labels come from the rows already loaded."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        athlete = form.instance.athlete if form.instance.athlete_id else None
        widget = form.fields["athlete"].widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        if athlete is not None and isinstance(widget, LoadedAutocompleteSelect):
            widget.loaded = {str(athlete.pk): str(athlete)}
        return form


# --- Inlines --------------------------------------------------------------------------------


class EventInline(admin.TabularInline):
    model = Event
    fields = ["number", "city", "venue", "first_day", "last_day"]
    autocomplete_fields = ["venue"]
    extra = 0
    show_change_link = True


class RaceInline(admin.TabularInline):
    model = Race
    fields = ["gender", "distance", "number", "date", "state", "classification", "record_note"]
    extra = 0
    show_change_link = True


class ResultInline(admin.TabularInline):
    model = Result
    form = ResultForm
    formset = ClassificationFormSet
    fields = ["rank", "athlete", "nation", "time", "status", "points", "source"]
    readonly_fields = ["points"]
    autocomplete_fields = ["athlete"]
    extra = 0
    show_change_link = True
    verbose_name = "line"
    verbose_name_plural = "classification"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("athlete", "race__event__season")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "athlete":
            kwargs["widget"] = LoadedAutocompleteSelect(db_field, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "nation":
            field.choices = list(field.choices)  # one query for every row of the formset
        return field

    @admin.display(description="World Cup points")
    def points(self, result: Result) -> int | str:
        return result.points if result.pk else ""


class AdjustmentInline(admin.StackedInline):
    model = Adjustment
    fields = ["kind", "points", "reason", "source"]
    extra = 0
    max_num = 1


# --- Model admins ---------------------------------------------------------------------------


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Athlete)
class AthleteAdmin(admin.ModelAdmin):
    form = AthleteForm
    list_display = ["name", "nation", "gender", "isu_id"]
    list_filter = ["gender", "nation"]
    search_fields = ["name", "slug", "aliases", "isu_id"]
    ordering = ["name"]
    autocomplete_fields = ["nation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "nation"]
    list_filter = ["nation"]
    search_fields = ["name", "city"]
    ordering = ["city", "name"]
    autocomplete_fields = ["nation"]


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    form = SeasonForm
    list_display = ["name", "slug", "start_date", "end_date", "rules_confidence"]
    search_fields = ["name", "slug"]
    ordering = ["-start_date"]
    inlines = [EventInline]
    fieldsets = [
        (None, {"fields": ["slug", "name", "start_date", "end_date"]}),
        (
            "Rules",
            {
                "fields": [
                    "points_table",
                    ("best_individual", "best_relay", "best_mixed_relay"),
                    ("overall", "best_overall"),
                    "nations_classification",
                    "scoreless_statuses",
                    "tie_break",
                    "rules_confidence",
                    "rules_source",
                ]
            },
        ),
        ("Provenance", {"fields": ["source", "note"]}),
        ("Published standings against computed ones", {"fields": ["published_comparison"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Season | None = None) -> list[str]:
        return ["published_comparison"] if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: Season | None = None) -> list:
        return self.fieldsets if obj else self.fieldsets[:-1]

    @admin.display(description="Comparison")
    def published_comparison(self, season: Season) -> str:
        tables = season.published_comparison()
        if not tables:
            return "No published standings recorded for this season."
        rows = []
        for table, comparisons in tables:
            for c in comparisons:
                computed = (
                    f"{c.computed.standing.points} ({c.computed.standing.rank}. "
                    f"{c.computed.competitor.display})"
                    if c.computed
                    else "–"
                )
                rows.append(
                    (
                        table.title if c is comparisons[0] else "",
                        c.published.rank,
                        c.published.name or "unnamed",
                        c.published.points,
                        computed,
                        "agrees" if c.agrees else c.cause,
                    )
                )
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            rows,
        )
        return format_html(
            "<table><caption>The same comparison as <code>manage.py check_standings "
            "{}</code></caption><thead><tr><th scope='col'>Table</th><th scope='col'>Rank"
            "</th><th scope='col'>Published for</th><th scope='col'>Published</th>"
            "<th scope='col'>Computed</th><th scope='col'>Likely cause</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            season.slug,
            body,
        )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["__str__", "season", "venue", "first_day", "last_day"]
    list_filter = ["season"]
    search_fields = ["city", "venue__name", "season__slug"]
    ordering = ["-season__start_date", "number"]
    list_select_related = ["season", "venue"]
    autocomplete_fields = ["season", "venue"]
    inlines = [RaceInline]


@admin.register(Race)
class RaceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "season",
        "gender",
        "distance",
        "number",
        "date",
        "state",
        "classification",
    ]
    list_filter = ["event__season", "gender", "distance", "state", "classification", "event"]
    search_fields = ["event__city", "event__season__slug", "record_note"]
    ordering = ["-date", "event", "gender", "distance", "number"]
    list_select_related = ["event__season"]
    autocomplete_fields = ["event"]
    inlines = [ResultInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_doubled()

    @admin.display(description="season", ordering="event__season__start_date")
    def season(self, race: Race) -> Season:
        return race.event.season


class ResultAdminBase(admin.ModelAdmin):
    form = ResultForm
    list_display = [
        "race_title",
        "rank",
        "competitor",
        "nation",
        "time_display",
        "status",
        "source",
    ]
    list_filter = [
        "race__event__season",
        "race__gender",
        "race__distance",
        "race__event",
        "status",
        "nation",
    ]
    search_fields = ["athlete__name", "athlete__aliases", "nation__code", "race__event__city"]
    ordering = ["-race__date", "race__event__number", "race_id", "rank"]
    list_select_related = ["race__event__season", "athlete", "nation"]
    autocomplete_fields = ["race", "athlete", "members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_race_doubled()

    @admin.display(description="race", ordering="race__date")
    def race_title(self, result: Result) -> str:
        result.race.doubled = result.race_doubled
        return str(result.race)

    @admin.display(description="time", ordering="time")
    def time_display(self, result: Result) -> str:
        return result.time_display

    @admin.display(description="competitor", ordering="athlete__name")
    def competitor(self, result: Result) -> str:
        return result.competitor


@admin.register(Result)
class ResultAdmin(ResultAdminBase):
    inlines = [AdjustmentInline]


@admin.register(Podium)
class PodiumAdmin(ResultAdminBase):
    pass


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    list_display = ["result_race", "result", "kind", "points", "reason"]
    list_filter = ["kind", "result__race__event__season"]
    search_fields = ["result__athlete__name", "result__nation__code", "reason"]
    ordering = ["-result__race__date"]
    list_select_related = ["result__race__event", "result__athlete"]
    autocomplete_fields = ["result"]

    @admin.display(description="race", ordering="result__race__date")
    def result_race(self, adjustment: Adjustment) -> str:
        return str(adjustment.result.race)


@admin.register(PublishedStanding)
class PublishedStandingAdmin(admin.ModelAdmin):
    list_display = ["season", "gender", "distance", "rank", "athlete", "nation", "points"]
    list_filter = ["season", "gender", "distance"]
    search_fields = ["athlete__name", "nation__code"]
    ordering = ["-season__start_date", "gender", "distance", "rank"]
    list_select_related = ["season", "athlete", "nation"]
    autocomplete_fields = ["season", "athlete", "nation"]
