"""The officials' admin: one declarative ModelAdmin per model, in models.py order."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from results import exports, heat_entry, history, importer
from results.forms import (
    AdjustmentForm,
    AdjustmentFormSet,
    AthleteForm,
    ClassificationFormSet,
    ConfirmImportForm,
    EntryForm,
    EntryListFormSet,
    EventForm,
    EventFormSet,
    EventInlineForm,
    ImportForm,
    KeyedAutocompleteFields,
    ProgrammeForm,
    RaceForm,
    RaceFormSet,
    RaceInlineForm,
    ResultChangeForm,
    ResultForm,
    SeasonForm,
    StoredChangesForm,
    is_key,
)
from results.models import (
    PROGRAMME_DATES,
    Adjustment,
    Athlete,
    Event,
    EventEntry,
    Nation,
    Podium,
    PublishedStanding,
    Race,
    Result,
    Season,
    Venue,
)
from results.standings import loader
from results.vocabulary import Gender, RaceState

# --- Inlines --------------------------------------------------------------------------------


class EventInline(KeyedAutocompleteFields, admin.TabularInline):
    model = Event
    form = EventInlineForm
    formset = EventFormSet
    fields = ["number", "city", "venue", "first_day", "last_day", "seen_revision"]
    autocomplete_fields = ["venue"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("venue")


class RaceInline(KeyedAutocompleteFields, admin.TabularInline):
    model = Race
    form = RaceInlineForm
    formset = RaceFormSet
    fields = [
        "gender", "distance", "number", "date", "state", "completeness", "record_note",
        "seen_revision",
    ]  # fmt: skip
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("event").with_doubled()


class ResultInline(KeyedAutocompleteFields, admin.TabularInline):
    model = Result
    form = ResultForm
    formset = ClassificationFormSet
    fields = ["rank", "athlete", "nation", "time", "status", "points", "source"]
    readonly_fields = ["points"]
    autocomplete_fields = ["athlete", "members"]
    extra = 0
    show_change_link = True
    verbose_name = "line"
    verbose_name_plural = "classification"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("athlete", "race__event__season", "adjustment")
            .prefetch_related("members")
        )

    def get_fields(self, request: HttpRequest, obj: Race | None = None) -> list[str]:
        """A relay's lines name the team by its nation and its members, never an athlete (no
        column that must stay empty: the page fits a 1280 px screen)."""
        if obj is not None and obj.is_relay:
            return ["rank", "nation", "members", *self.fields[3:]]
        return list(self.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Race | None = None) -> list[str]:
        """A race entered round by round shows the classification its rounds give."""
        if obj is not None and obj.has_rounds:
            return self.get_fields(request, obj)
        return list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest, obj: Race | None = None) -> bool:
        return not (obj is not None and obj.has_rounds) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Race | None = None) -> bool:
        return not (obj is not None and obj.has_rounds) and super().has_delete_permission(
            request, obj
        )

    @admin.display(description="points")
    def points(self, result: Result) -> int | str:
        return result.points if result.pk else ""


class EntryInline(KeyedAutocompleteFields, admin.TabularInline):
    model = EventEntry
    form = EntryForm
    formset = EntryListFormSet
    fields = ["athlete", "nation", "helmet"]
    autocomplete_fields = ["athlete"]
    extra = 0
    verbose_name = "skater"
    verbose_name_plural = "entry list"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("athlete")


class AdjustmentInline(KeyedAutocompleteFields, admin.StackedInline):
    model = Adjustment
    formset = AdjustmentFormSet
    fields = ["kind", "points", "reason", "source"]
    extra = 0
    max_num = 1


def results_csv_response(results: QuerySet, name: str) -> HttpResponse:
    lines = results.select_related("race__event__season", "athlete").order_by(
        "race__event__season__start_date", "race__event__number", "race__gender",
        "race__distance", "race__number", "rank",
    )  # fmt: skip
    return exports.results_csv_response(lines, f"{name}.csv")


class HistoryAdmin(KeyedAutocompleteFields, SimpleHistoryAdmin):
    """Every save keeps who, when and why (the form's reason) in the model's history."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self.id_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        self.id_or_404(object_id)
        if not str(version_id).isdigit():
            raise Http404(f"There is no version {version_id!r}.")
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied  # restoring a version changes the row: it needs the right
        request.drawn_from_history = True  # type: ignore[attr-defined]
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        """On a history page the form holds an earlier version: what it changes is counted
        against the stored row (a restore is a change like any other, reason and all)."""
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "drawn_from_history", False) and issubclass(form, StoredChangesForm):
            form = type(form.__name__, (form,), {"drawn_from_history": True})
        return form

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """A save the forms let through but a database constraint refuses (a change saved by
        someone else in between, or a tampered page) is rolled back whole and said plainly."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            messages.error(
                request,
                "Nothing was saved: it conflicts with what is already saved "
                f"({str(error).splitlines()[0][:200]}). The page shows what is saved now.",
            )
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Rows selected for an action must be ids of this list (Django would hand the database
        whatever was posted)."""
        if not all(map(self.is_id, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))):
            raise BadRequest("The rows selected for this action are not rows of this list.")
        return super().response_action(request, queryset)

    def id_or_404(self, object_id: str) -> None:
        """An address's id that is not an id of this model is a 404 (the history views would
        hand it to the database as it is)."""
        if not self.is_id(unquote(object_id)):
            raise Http404(f"There is no {self.model._meta.verbose_name} {object_id!r}.")

    def is_id(self, value: str) -> bool:
        return is_key(self.model._meta.pk, value)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        """A row the page leaves as it was (only its rows below changed) is not saved again: it
        keeps its revision, so another official's page of it is not made stale, and its
        history gains no empty version."""
        if change and isinstance(form, StoredChangesForm) and not form.edited():
            return
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason", "")
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        for obj in instances:
            obj._change_reason = reason
            obj.save()
        formset.save_m2m()


def publish(request: HttpRequest, races: QuerySet, state: str) -> None:
    """Move races to a publication state, all or none, and say what happened."""
    races = list(races.select_related("event__season").with_doubled())
    refused = []
    for race in races:
        try:
            race.check_state(state, stored=race.state)
        except ValidationError as error:
            refused.append(error.message)
    if refused:
        messages.error(
            request,
            f"Nothing changed: {len(refused)} race(s) are official. {' '.join(refused[:3])}"
            + (" …" if len(refused) > 3 else ""),
        )
        return
    with transaction.atomic():
        moved = [race for race in races if race.publish(state)]
    label = RaceState(state).label.lower()
    messages.success(
        request, f"{len(moved)} race(s) now {label}; {len(races) - len(moved)} already were."
    )


# --- Model admins ---------------------------------------------------------------------------


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Athlete)
class AthleteAdmin(HistoryAdmin):
    form = AthleteForm
    list_display = ["name", "nation", "gender", "isu_id"]
    list_filter = ["gender", "nation"]
    search_fields = ["name", "slug", "aliases", "isu_id"]
    ordering = ["name"]
    autocomplete_fields = ["nation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(HistoryAdmin):
    list_display = ["name", "city", "nation"]
    list_filter = ["nation"]
    search_fields = ["name", "city"]
    ordering = ["city", "name"]
    autocomplete_fields = ["nation"]


@admin.register(Season)
class SeasonAdmin(HistoryAdmin):
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
                    ("classification_rule", "classification_rule_confidence"),
                    "rules_confidence",
                    "rules_source",
                ]
            },
        ),
        ("Provenance", {"fields": ["source", "note", "change_reason", "seen_revision"]}),
        ("Published standings against computed ones", {"fields": ["published_comparison"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Season | None = None) -> list[str]:
        return ["published_comparison"] if obj else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """A new season starts with the rules of the latest one (an official changes what
        changed)."""
        return {**Season.objects.latest_rules(), **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: Season, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "classification_rule" in form.changed_data:
            races = obj.rederive(form.cleaned_data.get("change_reason", ""), request.user)
            messages.info(request, f"The classification of {races} race(s) skated in rounds "
                          "follows the new rule.")  # fmt: skip

    def get_fieldsets(self, request: HttpRequest, obj: Season | None = None) -> list:
        return self.fieldsets if obj else self.fieldsets[:-1]

    @admin.display(description="Comparison")
    def published_comparison(self, season: Season) -> str:
        tables = loader.comparison(season)
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
class EventAdmin(HistoryAdmin):
    form = EventForm
    list_display = ["__str__", "season", "venue", "first_day", "last_day"]
    list_filter = ["season"]
    search_fields = ["city", "venue__name", "season__slug"]
    ordering = ["-season__start_date", "number"]
    list_select_related = ["season", "venue"]
    autocomplete_fields = ["season", "venue"]
    inlines = [RaceInline, EntryInline]
    actions = ["create_programme", "publish_provisional", "publish_official", "back_to_draft"]

    @admin.action(description="Create the standard programme of races", permissions=["change"])
    def create_programme(self, request: HttpRequest, events: QuerySet) -> HttpResponse | None:
        if not request.user.has_perm("results.add_race"):
            raise PermissionDenied
        form = ProgrammeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            doubled = {Gender.MEN: form.cleaned_data["men_doubled"],
                       Gender.WOMEN: form.cleaned_data["women_doubled"]}  # fmt: skip
            with transaction.atomic():
                created = [
                    race
                    for event in events
                    for race in event.create_programme(
                        doubled, form.cleaned_data["relays"], form.cleaned_data["mixed_relay"]
                    )
                ]
            messages.success(
                request,
                f"{len(created)} race(s) created as draft; races that existed were kept. Dates: "
                f"{PROGRAMME_DATES}; change one on the event's page where its schedule differs.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Create the standard programme",
            "events": events,
            "form": form,
            "opts": self.model._meta,
            "action": "create_programme",
            "dates": PROGRAMME_DATES,
        }
        return TemplateResponse(request, "admin/results/event/programme.html", context)

    @admin.action(description="Publish all their races as provisional", permissions=["change"])
    def publish_provisional(self, request: HttpRequest, events: QuerySet) -> None:
        publish(request, Race.objects.filter(event__in=events), RaceState.PROVISIONAL)

    @admin.action(description="Publish all their races as official", permissions=["change"])
    def publish_official(self, request: HttpRequest, events: QuerySet) -> None:
        publish(request, Race.objects.filter(event__in=events), RaceState.OFFICIAL)

    @admin.action(
        description="Set all their races back to draft (not public)", permissions=["change"]
    )
    def back_to_draft(self, request: HttpRequest, events: QuerySet) -> None:
        publish(request, Race.objects.filter(event__in=events), RaceState.DRAFT)


@admin.register(Race)
class RaceAdmin(HistoryAdmin):
    form = RaceForm
    list_display = [
        "__str__", "season", "gender", "distance", "number", "date", "state", "completeness"
    ]  # fmt: skip
    list_filter = ["event__season", "gender", "distance", "state", "completeness", "event"]
    search_fields = ["event__city", "event__season__slug", "gender", "distance", "record_note"]
    ordering = ["-date", "event", "gender", "distance", "number"]
    list_select_related = ["event__season"]
    autocomplete_fields = ["event"]
    inlines = [ResultInline]
    change_list_template = "admin/results/race/change_list.html"
    object_history_list_template = "admin/results/race/object_history_list.html"
    actions = ["publish_provisional", "publish_official", "back_to_draft", "download_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The autocomplete and history pages name each race by its event, too.
        return super().get_queryset(request).select_related("event__season").with_doubled()

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """The race's versions and its lines', each with what it changed (old → new)."""
        self.id_or_404(object_id)
        entries = history.race_history(int(unquote(object_id)))
        return super().history_view(request, object_id, {**(extra_context or {}),
                                                         "entries": entries})  # fmt: skip

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """An official race is never deleted: that would unpublish it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        official = []
        for race in objs:
            try:
                race.check_state(RaceState.DRAFT, stored=race.state)
            except ValidationError as error:
                official.extend(error.messages)
        return deleted, counts, perms_needed, [*protected, *official]

    def get_urls(self) -> list:
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="results_race_import"
            ),
            path(
                "<path:object_id>/heats/",
                self.admin_site.admin_view(heat_entry.HeatEntryView.as_view(model_admin=self)),
                name="results_race_heats",
            ),
            path(
                "<path:object_id>/heats/skater/",
                self.admin_site.admin_view(heat_entry.SkaterLookupView.as_view(model_admin=self)),
                name="results_race_heats_skater",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="season", ordering="event__season__start_date")
    def season(self, race: Race) -> Season:
        return race.event.season

    @admin.action(description="Publish as provisional", permissions=["change"])
    def publish_provisional(self, request: HttpRequest, races: QuerySet) -> None:
        publish(request, races, RaceState.PROVISIONAL)

    @admin.action(description="Publish as official", permissions=["change"])
    def publish_official(self, request: HttpRequest, races: QuerySet) -> None:
        publish(request, races, RaceState.OFFICIAL)

    @admin.action(description="Back to draft (not public)", permissions=["change"])
    def back_to_draft(self, request: HttpRequest, races: QuerySet) -> None:
        publish(request, races, RaceState.DRAFT)

    @admin.action(description="Download their results (results CSV format)", permissions=["view"])
    def download_csv(self, request: HttpRequest, races: QuerySet) -> HttpResponse:
        return results_csv_response(Result.objects.filter(race__in=races), "results")

    def check_import_permission(self, request: HttpRequest, import_plan: Any) -> None:
        """A rounds file writes heat lines, and replacing removes a race's earlier ones; an
        entry-list file writes, changes and removes entries."""
        heat_lines = ["results.add_heatline", "results.delete_heatline"]
        if import_plan.is_rounds and not request.user.has_perms(heat_lines):
            raise PermissionDenied
        entries = ["results.add_evententry", "results.change_evententry",
                   "results.delete_evententry"]  # fmt: skip
        if getattr(import_plan, "is_entries", False) and not request.user.has_perms(entries):
            raise PermissionDenied

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview (every row's outcome, every problem; for a rounds file the
        classification each race's rounds give) → confirm: nothing is written before the
        official confirms, and the file is checked again then."""
        if not (
            request.user.has_perm("results.add_result")
            and request.user.has_perm("results.change_race")
        ):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Import results files"}  # fmt: skip
        form = ImportForm()
        if request.method == "POST" and "confirm" in request.POST:
            confirm = ConfirmImportForm(request.POST)
            if not confirm.is_valid():
                # Every field of the confirm page is one this page wrote: a value it did not
                # write is a tampered or damaged request, refused whole.
                raise BadRequest(f"The confirmation was damaged ({confirm.errors.as_text()}).")
            data = confirm.file_bytes()
            options = confirm.cleaned_data
            import_plan = importer.plan_file(
                data, options["filename"], options["replace"], options["reason"]
            )
            self.check_import_permission(request, import_plan)
            if import_plan.ok:
                try:
                    done = importer.apply_file(
                        import_plan, options["publish"], options["reason"], request.user
                    )
                except importer.ImportRefused as refused:
                    import_plan.problems = refused.problems
                else:
                    messages.success(request, done)
                    return HttpResponseRedirect(reverse("admin:results_race_changelist"))
            context |= {"plan": import_plan, "stale": True, **preview_of(import_plan)}
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data = upload.read()
                options = form.cleaned_data
                import_plan = importer.plan_file(
                    data, upload.name, options["replace"], options["reason"]
                )
                self.check_import_permission(request, import_plan)
                confirm = ConfirmImportForm(
                    initial={
                        "content": base64.b64encode(data).decode(),
                        "filename": upload.name,
                        "replace": options["replace"],
                        "publish": options["publish"],
                        "reason": options["reason"],
                    }
                )
                context |= {"plan": import_plan, "confirm": confirm, "filename": upload.name,
                            **preview_of(import_plan)}  # fmt: skip
        context["form"] = form
        return TemplateResponse(request, "admin/results/race/import.html", context)


# What the import page offers for a problem the importer can be asked to get past.
IMPORT_ACTIONS = {
    importer.REPLACE: "tick Replace below, choose the file again and preview it to replace them"
}


def preview_of(import_plan: Any) -> dict:
    """The import page's problems and rows, each problem with what the page offers."""
    return {
        "problems": [(p, importer.told(p, IMPORT_ACTIONS)) for p in import_plan.problems],
        "rows": importer.row_previews(import_plan, IMPORT_ACTIONS),
    }


class ResultAdminBase(HistoryAdmin):
    form = ResultChangeForm
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
        # The list's joins, also for the autocomplete, which names each line's athlete.
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .with_race_doubled()
        )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """A line of an official race is never deleted here: the race's page corrects its
        classification, with a reason the history and the public changes note keep."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        official = [
            f"{result.race} · {result}: the race is official; correct its classification on "
            "the race's page, with a reason"
            for result in objs
            if result.race.state == RaceState.OFFICIAL
        ]
        return deleted, counts, perms_needed, [*protected, *official]

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
    actions = ["download_csv"]

    @admin.action(description="Download them (results CSV format)", permissions=["view"])
    def download_csv(self, request: HttpRequest, results: QuerySet) -> HttpResponse:
        return results_csv_response(results, "results")


@admin.register(Podium)
class PodiumAdmin(ResultAdminBase):
    pass


@admin.register(Adjustment)
class AdjustmentAdmin(HistoryAdmin):
    form = AdjustmentForm
    list_display = ["result_race", "result", "kind", "points", "reason"]
    list_filter = ["kind", "result__race__event__season"]
    search_fields = ["result__athlete__name", "result__nation__code", "reason"]
    ordering = ["-result__race__date"]
    list_select_related = ["result__race__event", "result__athlete"]
    autocomplete_fields = ["result"]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """An adjustment of an official race's line goes with a reason: on the line's page."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        official = [
            f"{adjustment}: {adjustment.result.race} is official; remove the adjustment on the "
            "line's page, with a reason"
            for adjustment in objs
            if adjustment.result.race.state == RaceState.OFFICIAL
        ]
        return deleted, counts, perms_needed, [*protected, *official]

    @admin.display(description="race", ordering="result__race__date")
    def result_race(self, adjustment: Adjustment) -> str:
        return str(adjustment.result.race)


@admin.register(PublishedStanding)
class PublishedStandingAdmin(HistoryAdmin):
    list_display = ["season", "gender", "kind", "rank", "athlete", "nation", "points"]
    list_filter = ["season", "gender", "kind"]
    search_fields = ["athlete__name", "nation__code"]
    ordering = ["-season__start_date", "gender", "kind", "rank"]
    list_select_related = ["season", "athlete", "nation"]
    autocomplete_fields = ["season", "athlete", "nation"]
