"""A length of time in words, as a page says it: "15 minutes", "1 hour 30 minutes"."""

from __future__ import annotations

from datetime import timedelta

from django import template

from results.vocabulary import plural

register = template.Library()


@register.filter
def in_words(duration: timedelta | None) -> str:
    """A duration in hours and minutes (at least a minute): "15 minutes", "2 hours"."""
    if duration is None:
        return ""
    minutes = max(1, round(duration.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [plural(hours, "hour")] if hours else []
    if minutes:
        parts.append(plural(minutes, "minute"))
    return " ".join(parts)
