"""django-filter FilterSets for the long public lists; every value is a stable slug or code."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from results.models import Athlete, Nation, Result, Season
from results.vocabulary import SKATER_GENDERS, Distance, Gender, folded


def name_or_alias(text: str, prefix: str = "") -> Q:
    """Athletes whose name or another spelling holds the text, accents and case aside
    ("valerie" finds Valérie Maltais)."""
    return Q(**{f"{prefix}search_names__contains": folded(text).replace("|", "")})


def season_choices() -> list[tuple[str, str]]:
    return list(Season.objects.order_by("-start_date").values_list("slug", "name"))


class ResultFilter(django_filters.FilterSet):
    season = django_filters.ChoiceFilter(
        field_name="race__event__season__slug",
        choices=season_choices,
        label="Season",
        empty_label="All seasons",
    )
    gender = django_filters.ChoiceFilter(
        field_name="race__gender", choices=Gender.choices, empty_label="All"
    )
    distance = django_filters.ChoiceFilter(
        field_name="race__distance", choices=Distance.choices, empty_label="All distances"
    )
    nation = django_filters.ModelChoiceFilter(
        queryset=Nation.objects.taking_part(), empty_label="All nations"
    )
    athlete = django_filters.CharFilter(method="filter_athlete", label="Athlete")
    podium = django_filters.ChoiceFilter(
        method="filter_podium",
        label="Lines",
        choices=[("true", "Podium only")],  # "true": the address a yes/no filter gave
        empty_label="All lines",
    )

    class Meta:
        model = Result
        fields = ["season", "gender", "distance", "nation", "athlete"]

    def filter_athlete(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(name_or_alias(value, prefix="athlete__"))

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and data.get("podium") == "false":  # the yes/no filter's "no"
            data = data.copy()
            data.pop("podium")
        super().__init__(data, *args, **kwargs)

    def filter_podium(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(rank__lte=3) if value else queryset


class AthleteFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Name")
    nation = django_filters.ModelChoiceFilter(
        queryset=Nation.objects.taking_part(), empty_label="All nations"
    )
    gender = django_filters.ChoiceFilter(
        choices=[(g.value, g.label) for g in SKATER_GENDERS], empty_label="Both"
    )

    class Meta:
        model = Athlete
        fields = ["name", "nation", "gender"]

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(name_or_alias(value))
