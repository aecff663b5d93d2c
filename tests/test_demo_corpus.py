"""The bundled demo corpus and its server: feeds parse, links resolve, 304s work.

These checks guard the offline demo that the end-to-end test and the README's
first command run on; they need no Elasticsearch and no network.
"""
from __future__ import annotations

import gzip
import html
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import feedparser
import pytest
import requests
import trafilatura
import yaml

from newswatch_lab import demo_corpus
from newswatch_lab.demo_authoring import stale_files
from newswatch_lab.demo_corpus import TERMS_PATH
from newswatch_lab.demo_server import DemoServer

EXPECTED = demo_corpus.expected()


@pytest.fixture(scope="module")
def server():
    with DemoServer() as running:
        yield running


@pytest.fixture(scope="module")
def session():
    with requests.Session() as http:
        yield http


def _normalise(text: str) -> str:
    """As expected.json asks: straight quotes, collapsed whitespace."""
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return " ".join(text.translate(table).split())


def _visible_text(page: str) -> str:
    without_code = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return _normalise(html.unescape(re.sub(r"<[^>]+>", " ", without_code)))


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def _jaccard(left: set, right: set) -> float:
    return len(left & right) / len(left | right)


def test_generated_files_match_the_authored_sources():
    assert stale_files() == [], "run: python -m newswatch_lab.demo_authoring"


def test_counts_meet_the_minimums():
    counts = EXPECTED["counts"]
    feeds = EXPECTED["feeds"]
    good_feeds = [feed for feed in feeds if not feed["malformed"]]
    assert counts["articles"] == len(EXPECTED["articles"]) >= 32
    assert counts["off_topic"] >= 5 and counts["relevant"] >= 25
    assert sum(feed["kind"] == "rss" for feed in good_feeds) >= 4
    assert sum(feed["kind"] == "atom" for feed in good_feeds) >= 2
    assert counts["malformed_feeds"] >= 1 and counts["broken_pages"] >= 1
    assert EXPECTED["listing_pages"] and all(page["article_links"] for page in EXPECTED["listing_pages"])
    assert len({article["source_id"] for article in EXPECTED["articles"]}) >= 6
    assert counts["quotes"] == len(EXPECTED["quotes"]) >= 20
    labels = {quote["stance"]["label"] for quote in EXPECTED["quotes"]}
    assert labels == {"favor", "against", "neutral"}
    targets = {quote["stance"]["target_id"] for quote in EXPECTED["quotes"]}
    assert targets == {"consent", "compensation", "litigation", "platform_terms", "transparency", "voice_likeness"}
    (story,) = EXPECTED["syndicated_stories"]
    assert len(set(story["paths"])) == 3
    assert any("utm_" in link for link in story["feed_links"])


def test_sources_yaml_points_every_feed_at_the_server(server, session):
    catalogue = yaml.safe_load(demo_corpus.sources_yaml(server.base_url))
    sources = catalogue["sources"]
    assert {source["id"] for source in sources} == {article["source_id"] for article in EXPECTED["articles"]}
    for source in sources:
        assert {"id", "name", "category", "language", "feeds", "poll_interval_minutes"} <= source.keys()
        urls = source["feeds"] + ([source["listing_url"]] if "listing_url" in source else [])
        assert urls, f"{source['id']} has neither a feed nor a listing page"
        for url in urls:
            assert url.startswith(server.base_url + "/")
            assert session.get(url).status_code == 200


@pytest.mark.parametrize("feed", EXPECTED["feeds"], ids=lambda feed: feed["path"])
def test_every_feed_parses_and_lists_the_expected_articles(server, session, feed):
    response = session.get(server.url(feed["path"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/rss+xml" if feed["kind"] == "rss" else "application/atom+xml")
    headers = {name.lower(): value for name, value in response.headers.items()}
    parsed = feedparser.parse(response.content, response_headers={**headers, "content-location": response.url})
    links = [entry.get("link") for entry in parsed.entries]
    if feed["malformed"]:
        assert parsed.bozo, "the malformed feed must be flagged bozo"
        # What a tolerant parser recovers: every complete item, none of the cut one's link.
        assert [link for link in links if link] == [server.url(p) for p in feed["complete_entry_links"]]
    else:
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == ("rss20" if feed["kind"] == "rss" else "atom10")
        assert links == [server.url(path) for path in feed["entry_links"]]
        assert all(entry.get("published_parsed") and entry.get("title") for entry in parsed.entries)
    assert "{{BASE_URL}}" not in response.text


def _linked_paths() -> list[str]:
    paths = {link for feed in EXPECTED["feeds"] for link in feed["entry_links"]}
    paths |= {link for page in EXPECTED["listing_pages"] for link in page["article_links"]}
    paths |= {link for sitemap in EXPECTED["news_sitemaps"] for link in sitemap["entry_links"]}
    return sorted(paths)


def test_every_article_is_linked_from_a_feed_or_listing():
    linked = {link.split("?")[0] for link in _linked_paths()}
    assert {article["path"] for article in EXPECTED["articles"]} <= linked
    assert {page["path"] for page in EXPECTED["broken_pages"]} <= linked


@pytest.mark.parametrize("path", _linked_paths())
def test_every_linked_page_is_served(server, session, path):
    response = session.get(server.url(path))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    broken = {page["path"] for page in EXPECTED["broken_pages"]}
    if path in broken:
        assert response.content[:2] == b"\x1f\x8b", "the broken page is a gzip body without Content-Encoding"
        return
    page = response.content.decode("utf-8")
    assert "{{BASE_URL}}" not in page
    assert f'content="{server.url(path.split("?")[0])}"' in page, "og:url is absolute and has no tracking query"
    assert re.search(r'<time[^>]+datetime="2026-', page)


def test_listing_page_links_every_article_of_its_source(server, session):
    for listing in EXPECTED["listing_pages"]:
        page = session.get(server.url(listing["path"])).text
        hrefs = set(re.findall(r'href="([^"]+)"', page))
        assert set(listing["article_links"]) <= hrefs
        announced = set(re.findall(r'<link rel="alternate" type="application/rss\+xml"[^>]* href="([^"]+)"', page))
        assert announced == {server.url(path) for path in listing["announced_feeds"]}, "only an announced feed, never a catalogue one"


def test_announced_feeds_are_left_for_discovery_and_the_news_sitemap_is_in_robots_txt(server, session):
    catalogue_feeds = {url for source in yaml.safe_load(demo_corpus.sources_yaml(server.base_url))["sources"] for url in source["feeds"]}
    announced = [feed for feed in EXPECTED["feeds"] if feed["announced"]]
    assert announced and not {server.url(feed["path"]) for feed in announced} & catalogue_feeds
    robots = session.get(server.url("/robots.txt")).text
    for sitemap in EXPECTED["news_sitemaps"]:
        assert f"Sitemap: {server.url(sitemap['path'])}" in robots
        body = gzip.decompress(session.get(server.url(sitemap["path"])).content).decode("utf-8")
        assert sorted(re.findall(r"<loc>([^<]+)</loc>", body)) == sorted(server.url(path) for path in sitemap["entry_links"])
        assert body.count("<news:publication_date>2026-") == len(sitemap["entry_links"])
        home = session.get(server.url(sitemap["home"])).text
        assert "<a " not in home and "application/rss+xml" not in home, "the sitemap is the only way in"


def test_expected_quotes_are_in_the_served_pages(server, session):
    pages: dict[str, str] = {}
    for quote in EXPECTED["quotes"]:
        if quote["path"] not in pages:
            pages[quote["path"]] = _visible_text(session.get(server.url(quote["path"])).text)
        text = pages[quote["path"]]
        assert quote["starts_with"] in text, quote
        if quote["speaker"]:
            assert quote["speaker"].split()[-1] in text, quote


def test_an_extractor_keeps_the_story_and_skips_the_boilerplate(server, session):
    """Pages look like real news pages: trafilatura finds the body and leaves banners, nav and footers out."""
    for article in EXPECTED["articles"]:
        page = session.get(server.url(article["path"])).text
        text = trafilatura.extract(page) or ""
        assert len(text) > 600, article["path"]
        for boilerplate in ("cookies", "Sign up", "Advertisement", "Most viewed", "All rights reserved"):
            assert boilerplate not in text, (article["path"], boilerplate)
        assert trafilatura.extract_metadata(page).date == article["published_at"][:10], article["path"]


def test_syndicated_copies_are_near_duplicates_of_each_other_only(server, session):
    def body(path: str) -> set:
        return _shingles(trafilatura.extract(session.get(server.url(path)).text) or "")

    (story,) = EXPECTED["syndicated_stories"]
    copies = [body(path) for path in story["paths"]]
    for i, left in enumerate(copies):
        for right in copies[i + 1:]:
            assert 0.6 < _jaccard(left, right) < 1.0, "lightly edited, not identical"
    others = [a["path"] for a in EXPECTED["articles"] if a["story"] is None and "wavelane" in a["path"]]
    assert others
    for path in others:
        assert _jaccard(copies[0], body(path)) < 0.15, path


def test_conditional_get_answers_304(server, session):
    url = server.url("/fpca/newsroom/rss.xml")
    first = session.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = session.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag.headers["ETag"] == etag
    assert session.get(url, headers={"If-None-Match": f'"stale", W/{etag}'}).status_code == 304
    assert session.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert session.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    # If-None-Match wins over If-Modified-Since when both are sent.
    both = session.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified})
    assert both.status_code == 200
    earlier = format_datetime(datetime.now(timezone.utc) - timedelta(days=3650), usegmt=True)
    assert session.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # feedparser's own conditional GET gets the 304 too.
    assert feedparser.parse(url, etag=etag).status == 304


def test_head_robots_404_and_path_escape(server, session):
    head = session.head(server.url("/circuit-review/feeds/all.atom"))
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) > 1000
    robots = session.get(server.url("/robots.txt"))
    assert robots.headers["Content-Type"].startswith("text/plain") and "User-agent: *" in robots.text
    assert session.get(server.url("/daily-meridian/no-such-story")).status_code == 404
    assert session.get(server.url("/../server.py")).status_code == 404
    assert session.get(server.url("/%2e%2e/__init__.py")).status_code == 404


def _terms_text(page: str) -> str:
    """The document body without the noise the terms watch must ignore (date, scripts)."""
    body = re.search(r'<article class="legal-document".*?</article>', page, flags=re.S).group(0)
    return re.sub(r'<p class="last-updated">.*?</p>', "", body, flags=re.S)


def test_terms_page_changes_version_under_the_same_url():
    terms = EXPECTED["terms"]
    assert terms["path"] == TERMS_PATH
    with DemoServer(terms_version=1) as server, requests.Session() as session:
        url = server.url(TERMS_PATH)
        v1 = session.get(url)
        server.set_terms_version(2)
        v2 = session.get(url, headers={"If-None-Match": v1.headers["ETag"],
                                       "If-Modified-Since": v1.headers["Last-Modified"]})
        assert v2.status_code == 200, "a new version is never answered 304"
        only_date = session.get(url, headers={"If-Modified-Since": v1.headers["Last-Modified"]})
        assert only_date.status_code == 200, "Last-Modified moves forward even within the same second"
        server.set_terms_version(3)
        v3 = session.get(url, headers={"If-None-Match": v2.headers["ETag"]})
        assert v3.status_code == 200
        for version, response in (("1", v1), ("2", v2), ("3", v3)):
            assert response.text == session.get(server.url(terms["versions"][version])).text
    for passage in terms["added_in_v2"]:
        assert passage not in v1.text and passage in v2.text
    assert v2.text != v3.text
    assert _terms_text(v2.text) == _terms_text(v3.text), "v3 differs from v2 only by date and scripts"
    assert _terms_text(v1.text) != _terms_text(v2.text)
    with pytest.raises(ValueError):
        DemoServer(terms_version=4)
