"""Sources as the public reads them: each address a link labelled by its site and page."""

import pytest

from results.templatetags.sources import label, sources


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            "https://de.wikipedia.org/wiki/Shorttrack-Weltcup_2012/13",
            "Wikipedia (de): Shorttrack-Weltcup 2012/13",
        ),
        ("https://en.wikipedia.org/wiki/Elise_Christie", "Wikipedia (en): Elise Christie"),
        ("https://de.zxc.wiki/wiki/Shorttrack-Weltcup", "de.zxc.wiki: Shorttrack-Weltcup"),
        ("https://www.isu.org/docs/isu-rules-2012.pdf", "isu.org: isu rules 2012 (PDF)"),
        ("https://www.isu.org/docs/1747.pdf", "isu.org: 1747 (PDF)"),
        ("https://example.org/files/20130211.pdf", "example.org (PDF)"),
        # the title is the segment of most words, an id in front or behind it left out
        (
            "https://isu.org/short-track/news/news-stk/10311-samsung-isu-world-cup-calgary"
            "?templateParam=15",
            "isu.org: samsung isu world cup calgary",
        ),
        (
            "https://www.huffingtonpost.ca/2012/10/21/short-track-speedskating-_n_1998470.html",
            "huffingtonpost.ca: short track speedskating",
        ),
        (
            "https://archive.shine.cn/sports/skating/Wang-maintains-500m-win-streak/shdaily.shtml",
            "archive.shine.cn: Wang maintains 500m win streak",
        ),
        # no title in the address: the site alone
        ("http://en.people.cn/90779/7985651.html", "en.people.cn"),
        ("https://feeds.bbci.co.uk/sport/winter-sports/21305686", "feeds.bbci.co.uk"),
        (
            "http://www.cbc.ca/sports/canada-claims-2-silver-bronze-at-world-cup-1.1258639",
            "cbc.ca: canada claims 2 silver bronze at world cup",
        ),
        ("https://baxi.tv/forum.php?mod=viewthread&tid=129070", "baxi.tv"),
    ],
)
def test_an_address_is_labelled_by_its_site_and_page(address, expected):
    assert label(address) == expected


def test_a_source_that_is_not_an_address_stays_text():
    text = 'Encyclopedia article "2012–13 ISU Short Track Speed Skating World Cup"'
    assert sources(text) == (
        "Encyclopedia article &quot;2012–13 ISU Short Track Speed Skating World Cup&quot;"
    )


def test_every_address_of_a_source_is_a_link_among_its_text():
    text = (
        "ISU (points); http://en.people.cn/90779/7985651.html ; "
        "https://olympic.ca/on-short-track/ (name)"
    )
    assert sources(text) == (
        'ISU (points); <a href="http://en.people.cn/90779/7985651.html" rel="nofollow">'
        'en.people.cn</a> ; <a href="https://olympic.ca/on-short-track/" rel="nofollow">'
        "olympic.ca: on short track</a> (name)"
    )


def test_a_page_seen_through_a_mirror_links_the_page_itself():
    text = (
        "http://40.74.122.252/index.cgi/contrast/https://de.wikipedia.org/wiki/Shorttrack-Weltcup"
    )
    assert sources(text) == (
        '<a href="https://de.wikipedia.org/wiki/Shorttrack-Weltcup" rel="nofollow">'
        "Wikipedia (de): Shorttrack-Weltcup</a>"
    )


def test_the_punctuation_around_an_address_stays_outside_the_link():
    text = "Rules (https://example.org/the-rules-of-2012). Then https://example.org/a, more."
    assert sources(text) == (
        'Rules (<a href="https://example.org/the-rules-of-2012" rel="nofollow">example.org: the '
        'rules of 2012</a>). Then <a href="https://example.org/a" rel="nofollow">example.org</a>,'
        " more."
    )


def test_a_hostile_source_is_escaped():
    text = '<script>x</script> https://example.org/"onmouseover=alert(1) &'
    html = sources(text)
    assert "<script>" not in html and '"onmouseover' not in html
    assert html.startswith('&lt;script&gt;x&lt;/script&gt; <a href="https://example.org/"')
    assert html.endswith("&quot;onmouseover=alert(1) &amp;")


def test_no_source_is_nothing():
    assert sources("") == "" and sources(None) == ""


def test_an_archived_copy_or_a_redirect_keeps_its_own_address():
    """Only a proxy named by an IP address is taken for a mirror; an archive's snapshot (its
    copy may be all that is left) and a redirect's address stay as written."""
    archived = "https://web.archive.org/web/2013/http://www.isu.org/rules-of-the-sport.pdf"
    assert f'href="{archived}"' in sources(archived)
    redirect = "https://example.org/out?u=https://isu.org/page"
    assert 'href="https://example.org/out?u=https://isu.org/page"' in sources(redirect)


@pytest.mark.parametrize("address", ["http://[abc/x", "https://example.org:port/x", "http://[::1"])
def test_an_address_no_browser_could_follow_stays_text(address):
    assert sources(f"See {address} there.") == f"See {address} there."


def test_an_apostrophe_inside_an_address_belongs_to_it():
    html = sources("https://en.wikipedia.org/wiki/Men's_500_metres, and 'https://example.org/a'")
    assert html.startswith(
        '<a href="https://en.wikipedia.org/wiki/Men&#x27;s_500_metres" rel="nofollow">'
        "Wikipedia (en): Men&#x27;s 500 metres</a>, and &#x27;"
        '<a href="https://example.org/a" rel="nofollow">'
    )
