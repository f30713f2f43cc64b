"""A skater's name as a page writes it: the line may break between its words, never inside a
hyphenated one ("Kwak Yoon-gy", not "Kwak Yoon-" / "gy")."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def unbroken(name: object) -> SafeString:
    """The name escaped, each hyphenated word kept on one line (its text unchanged)."""
    words = str(name if name is not None else "").split(" ")
    return mark_safe(
        " ".join(
            format_html('<span class="nowrap">{}</span>', word)
            if "-" in word
            else str(conditional_escape(word))
            for word in words
        )
    )
