"""URL canonicalisation: every variant of one article maps to one canonical URL (and one id)."""
from __future__ import annotations

import pytest

from newswatch.core.model import Article
from newswatch.fetching.urls import InvalidURL, canonicalize_url, url_id

CANONICAL = "https://example.com/2024/05/label-sues-ai-start-up"


@pytest.mark.parametrize(
    "variant",
    [
        CANONICAL,
        "HTTPS://EXAMPLE.COM/2024/05/label-sues-ai-start-up",
        "https://example.com:443/2024/05/label-sues-ai-start-up",
        "https://example.com/2024/05/label-sues-ai-start-up/",
        "https://example.com/2024/05/label-sues-ai-start-up#comments",
        "https://example.com/2024/05/label-sues-ai-start-up?utm_source=rss&utm_medium=feed&utm_campaign=x",
        "https://example.com/2024/05/label-sues-ai-start-up?fbclid=IwAR0abc&gclid=xyz&mc_cid=1&mc_eid=2",
        "https://m.example.com/2024/05/label-sues-ai-start-up",
        "https://amp.example.com/2024/05/label-sues-ai-start-up",
        "https://example.com/2024/05/label-sues-ai-start-up/amp/",
        "https://example.com/amp/2024/05/label-sues-ai-start-up",
        "https://example.com/2024/05/label-sues-ai-start-up?amp",
        "https://example.com/2024/05/label-sues-ai-start-up?amp=1&outputType=amp",
        "https://example-com.cdn.ampproject.org/c/s/example.com/2024/05/label-sues-ai-start-up/amp/",
        "https://www.google.com/amp/s/example.com/2024/05/label-sues-ai-start-up",
        "https://example.com//2024/./05/../05/label-sues-ai-start-up",
        "  https://user:secret@example.com./2024/05/label-sues-ai-start-up  ",
    ],
)
def test_variants_share_one_canonical_url(variant):
    assert canonicalize_url(variant) == CANONICAL
    assert url_id(variant) == Article(url=variant, canonical_url=CANONICAL, source_id="s").id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/search?b=2&a=1&utm_term=x", "https://example.com/search?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        ("https://example.com/caf%c3%a9%7e", "https://example.com/caf%C3%A9~"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://m.tv/show", "https://m.tv/show"),  # 'm.' is the whole registrable name here
        ("https://example.com/amp", "https://example.com/amp"),  # a page called amp, not a variant
        ("https://example.com/a?id=7&ref=home", "https://example.com/a?id=7&ref=home"),  # meaningful params stay
    ],
)
def test_canonical_forms(url, expected):
    assert canonicalize_url(url) == expected


def test_canonicalisation_is_idempotent():
    for url in ("https://M.Example.com/a/b/?z=1&utm_source=x&a=2#f", "https://example.com/caf%c3%a9/amp/"):
        once = canonicalize_url(url)
        assert canonicalize_url(once) == once


@pytest.mark.parametrize("url", ["ftp://example.com/x", "mailto:someone@example.com", "/relative/path", "", "http://x:99999/"])
def test_non_http_urls_are_rejected(url):
    with pytest.raises(InvalidURL):
        canonicalize_url(url)


@pytest.mark.fault
def test_a_canonical_on_another_site_is_not_taken():
    from newswatch.fetching.urls import owned_canonical_url, site_of

    assert site_of("https://news.example.co.uk/a") == "example.co.uk"
    assert site_of("https://www.example.com/a") == "example.com"
    page = "https://www.outlet-a.example/story"
    # Same site (another host of it): the declared canonical is the page's own.
    assert owned_canonical_url("https://amp.outlet-a.example/story", page) == "https://amp.outlet-a.example/story"
    # Another outlet's URL would take over that outlet's document id: refused.
    assert owned_canonical_url("https://outlet-b.example/their-story", page) == page
    # Unless that site is a declared alias of the source (the feed's own site, say).
    assert owned_canonical_url("https://outlet-b.example/x", page, aliases=("outlet-b.example",)) == "https://outlet-b.example/x"
    assert owned_canonical_url(None, page) == page
