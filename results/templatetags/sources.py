"""`{{ text|sources }}`: a source as the public reads it, every address in it a link labelled by
its site and page ("Wikipedia (de): Shorttrack-Weltcup 2012/13", "isu.org: samsung isu world
cup short track calgary can", "isu.org: rules 2012 (PDF)"); the rest stays text."""

import ipaddress
import re
from urllib.parse import unquote, urlsplit

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ADDRESS = re.compile(r"https?://[^\s<>\"`]+")
EMBEDDED = re.compile(r"https?://")  # a page seen through a mirror: /contrast/https://...
EXTENSION = re.compile(r"\.(s?html?|php|aspx?|pdf)$", re.IGNORECASE)
ID = re.compile(r"[\d.]{5,}")  # 10311, 1998470, 1.1258639: not 2012
FEWEST_WORDS = 3  # a path segment of fewer words is an id or a section, not a title


def trimmed(address: str) -> str:
    """The address without the punctuation of the sentence around it."""
    end = len(address)
    while end and (
        address[end - 1] in ".,;:!?'"
        or (address[end - 1] == ")" and address[:end].count(")") > address[:end].count("("))
    ):
        end -= 1
    return address[:end]


def words_of(segment: str) -> list[str]:
    """A path segment's words, without an id in front (10311-...) or behind (..._n_1998470,
    ...-1.1258639); a year is a word."""
    words = [w for w in re.split(r"[-_+\s]+", EXTENSION.sub("", segment)) if w]
    if words and ID.fullmatch(words[0]):
        words.pop(0)
    if words and ID.fullmatch(words[-1]):
        words.pop()
        if words and len(words[-1]) == 1:  # the letter of an id: _n_1998470
            words.pop()
    return words


def split(address: str):
    """The address's parts, or None for one no browser could follow (`http://[abc/`)."""
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - a bad port raises only when read
    except ValueError:
        return None
    return parts


def is_ip_address(host: str | None) -> bool:
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return True


def label(address: str) -> str:
    """What a reader needs to know of an address: the site and the page's title where the
    address says it."""
    parts = split(address)
    if parts is None:
        return address
    host = (parts.hostname or address).removeprefix("www.")
    path = unquote(parts.path)
    wiki = re.match(r"/wiki/(.+)", path)
    if wiki:
        title = wiki.group(1).replace("_", " ")
        if host.endswith("wikipedia.org"):
            return f"Wikipedia ({host.split('.')[0]}): {title}"
        return f"{host}: {title}"
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[-1].lower().endswith(".pdf"):
        title = " ".join(words_of(segments[-1]))
        return f"{host}: {title} (PDF)" if title else f"{host} (PDF)"
    titles = [words for words in map(words_of, segments) if len(words) >= FEWEST_WORDS]
    return f"{host}: {' '.join(max(titles, key=len))}" if titles else host


def link(address: str) -> SafeString:
    """A link to the address (to the page itself when it is seen through a mirror: a proxy
    named by an IP address that holds the page's address, http://40.74.122.252/…/https://…);
    an address no browser could follow stays text."""
    parts = split(address)
    if parts is None:
        return conditional_escape(address)
    inner = EMBEDDED.search(address, 8)
    if inner and is_ip_address(parts.hostname) and split(address[inner.start() :]):
        address = address[inner.start() :]
    return format_html('<a href="{}" rel="nofollow">{}</a>', address, label(address))


@register.filter(is_safe=True)
def sources(text: str | None) -> SafeString:
    """The text with every address in it a labelled link; the rest escaped as it is."""
    text, html, written = text or "", [], 0
    for found in ADDRESS.finditer(text):
        address = trimmed(found.group())
        html += [conditional_escape(text[written : found.start()]), link(address)]
        written = found.start() + len(address)
    html.append(conditional_escape(text[written:]))
    return mark_safe("".join(html))  # every piece escaped or built by format_html
