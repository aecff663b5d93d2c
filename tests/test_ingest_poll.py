"""Feed polling against a local server and the real Elasticsearch: every broken feed of one run
is recorded in the failures index while the good items of the same run come through."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from ingest_cases import (
    GOOD_FEED,
    MISLABELLED_TITLE,
    RSS,
    TEST_POLICY,
    broken_routes,
    conditional,
    rss,
)
from local_server import LocalServer, Reply

from newswatch.core.model import Article, FeedItem
from newswatch.feeds.catalogue import Source
from newswatch.feeds.listing import discover_article_links, looks_like_article
from newswatch.feeds.poller import (
    PollPolicy,
    SourcePoll,
    SourceState,
    drop_known_items,
    poll_sources,
    read_states,
    run_poll,
    write_states,
)
from newswatch.fetching.safe_fetch import Fetcher
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames
from newswatch.indexing.store import write_articles

NOW = datetime(2025, 5, 20, 12, 0, tzinfo=timezone.utc)

LISTING_PAGE = b"""<!DOCTYPE html><html><head><title>Newsroom</title></head><body>
<nav><a href="/">Home</a> <a href="/about-us">About</a> <a href="/tag/ai">AI</a> <a href="/news/page/2">Older</a>
  <a href="/society-of-creative-workers/">Society of Creative Workers</a></nav>
<main>
  <a href="/news/2025/05/society-responds-to-ai-training-consultation"><img src="/x.jpg"></a>
  <a href="/news/2025/05/society-responds-to-ai-training-consultation">Society responds to AI training consultation</a>
  <a href="/press/members-vote-on-licensing-framework-for-ai?utm_source=home">Members vote on licensing framework for AI</a>
  <a href="https://elsewhere.example/other-site-story-about-ai">Elsewhere</a>
  <a href="/files/annual-report-2024.pdf">Annual report</a>
  <a href="mailto:press@society.example">Press office</a>
</main></body></html>"""

# The failure list, as feeds: path -> the error_type each must be recorded with.
EXPECTED_FAILURES = {
    "/malformed.xml": "malformed_feed",
    "/html-as-feed.xml": "unexpected_content",
    "/huge.xml": "too_large",
    "/bomb.xml": "decompression_bomb",
    "/binary.xml": "binary_content",
    "/mislabelled.xml": "charset_mismatch",
    "/loop-a": "redirect_loop",
    "/to-private": "blocked_address",
    "/slow.xml": "timeout",
}


def source(source_id: str, feeds: list[str] = (), listing_url: str | None = None, minutes: int = 30) -> Source:
    return Source(id=source_id, name=source_id.title(), category="trade_press", language="en",
                  feeds=tuple(feeds), listing_url=listing_url, poll_interval_minutes=minutes)


@pytest.fixture
def server():
    routes = broken_routes()
    routes["/newsroom"] = Reply(200, {"Content-Type": "text/html; charset=utf-8"}, LISTING_PAGE)
    with LocalServer(routes) as running:
        yield running


@pytest.fixture
def fetcher():
    with Fetcher(TEST_POLICY) as shared:
        yield shared


def catalogue(server: LocalServer) -> list[Source]:
    sources = [source("good", [server.url("/good.xml")]), source("newsroom", listing_url=server.url("/newsroom"))]
    sources += [source(path.strip("/").split(".")[0], [server.url(path)]) for path in EXPECTED_FAILURES]
    return sources


def failures_in_index(client, prefix: str) -> dict[tuple[str, str], dict]:
    hits = client.search(index=IndexNames(prefix).alias("failures"), size=100)["hits"]["hits"]
    return {(hit["_source"]["url"], hit["_source"]["error_type"]): hit["_source"] for hit in hits}


@pytest.mark.integration
def test_one_run_records_every_broken_feed_and_keeps_the_good_items(server, fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    sources = catalogue(server)
    report = run_poll(es_ready, make_indexer(es_settings, es_ready), prefix, sources, fetcher, now=NOW, refresh=True)

    titles = {item.title for item in report.items}
    assert {"Label sues AI start-up", "Songwriters demand consent"} <= titles  # the good feed
    assert {"First story survives", "Second story"} <= titles  # good entries of the malformed feed
    assert MISLABELLED_TITLE in titles  # decoded right despite the wrong charset
    assert {"Society responds to AI training consultation", "Members vote on licensing framework for AI"} <= titles

    recorded = failures_in_index(es_ready, prefix)
    for path, error_type in EXPECTED_FAILURES.items():
        failure = recorded[(server.url(path), error_type)]
        assert failure["stage"] == "poll" and failure["source_id"] == path.strip("/").split(".")[0]
        assert server.url(path) in failure["error"] or path == "/to-private"
    # The malformed feed's cut-off last entry has no link: recorded too, as its own problem.
    assert (server.url("/malformed.xml"), "entry_without_link") in recorded
    assert len(recorded) == len(EXPECTED_FAILURES) + 1  # nothing for the good feed or the listing page
    assert "169.254.169.254" in recorded[(server.url("/to-private"), "blocked_address")]["error"]

    states = read_states(es_ready, prefix, [s.id for s in sources])
    assert set(states) == {s.id for s in sources}
    for failing in ("html-as-feed", "huge", "bomb", "binary", "loop-a", "to-private", "slow"):
        state = states[failing]
        assert state.consecutive_failures == 1 and state.healthy and state.last_error, failing
        assert state.next_poll_at == NOW + timedelta(minutes=60)  # backed off: 2 x 30 minutes
    for delivering in ("good", "newsroom", "malformed", "mislabelled"):
        assert states[delivering].consecutive_failures == 0 and states[delivering].next_poll_at == NOW + timedelta(minutes=30)
    assert states["malformed"].last_error and "2 good entries kept" in states["malformed"].last_error
    assert states["good"].etags == {server.url("/good.xml"): '"good-v1"'}
    assert states["good"].entries_seen == 2


@pytest.mark.integration
def test_second_poll_gets_304_and_only_due_sources_are_polled(server, fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    indexer = make_indexer(es_settings, es_ready)
    sources = [source("good", [server.url("/good.xml")]), source("slow-cadence", [server.url("/mislabelled.xml")], minutes=240)]
    first = run_poll(es_ready, indexer, prefix, sources, fetcher, now=NOW, refresh=True)
    assert len(first.items) == 3

    later = NOW + timedelta(minutes=31)
    second = run_poll(es_ready, indexer, prefix, sources, fetcher, now=later, refresh=True)
    assert second.items == [] and second.not_due == 1 and [p.source.id for p in second.polls] == ["good"]
    assert server.requests_for("/good.xml")[-1].headers["if-none-match"] == '"good-v1"'
    state = read_states(es_ready, prefix, ["good"])["good"]
    assert state.last_status == 304 and state.last_success_at == later and state.next_poll_at == later + timedelta(minutes=30)
    assert state.entries_seen == 2
    assert len(server.requests_for("/mislabelled.xml")) == 1


def test_repeated_failures_back_off_and_mark_unhealthy_but_never_drop(server, fetcher):
    broken = source("broken", [server.url("/html-as-feed.xml")], minutes=30)
    policy = PollPolicy(unhealthy_after=3, max_backoff=timedelta(hours=3))
    states: dict[str, SourceState] = {}
    now = NOW
    intervals = []
    for _ in range(5):
        report = poll_sources(fetcher, [broken], states, now=now, policy=policy)
        assert [p.source.id for p in report.polls] == ["broken"]  # still polled when due
        state = report.polls[0].state
        states["broken"] = state
        intervals.append(state.next_poll_at - now)
        now = state.next_poll_at
    assert intervals == [timedelta(minutes=60), timedelta(minutes=120), timedelta(hours=3), timedelta(hours=3), timedelta(hours=3)]
    assert states["broken"].consecutive_failures == 5 and not states["broken"].healthy

    server.routes["/html-as-feed.xml"] = Reply(200, RSS, GOOD_FEED)  # the publisher fixes the feed
    recovered = poll_sources(fetcher, [broken], states, now=now, policy=policy).polls[0].state
    assert recovered.healthy and recovered.consecutive_failures == 0 and recovered.next_poll_at == now + timedelta(minutes=30)


def test_failed_feed_keeps_previous_validators(server, fetcher):
    state = SourceState("good", etags={server.url("/gone.xml"): '"old"'})
    report = poll_sources(fetcher, [source("good", [server.url("/gone.xml")])], {"good": state}, now=NOW)
    new_state = report.polls[0].state
    assert new_state.last_status == 404 and new_state.etags == {server.url("/gone.xml"): '"old"'}
    assert report.failures[0].error_type == "http_status" and "HTTP 404" in report.failures[0].error


def test_multi_feed_source_merges_items_and_one_bad_feed_does_not_hide_the_other(server, fetcher):
    server.routes["/main.xml"] = Reply(200, RSS, rss("Main", [
        ("Label sues AI start-up", "https://good.example/news/label-sues-ai-start-up?utm_source=main"),
        ("Festival bans AI posters", "https://good.example/news/festival-bans-ai-posters")]).encode())
    both = source("two-feeds", [server.url("/good.xml"), server.url("/main.xml"), server.url("/binary.xml")])
    report = poll_sources(fetcher, [both], {}, now=NOW)
    assert sorted(i.title for i in report.items) == ["Festival bans AI posters", "Label sues AI start-up", "Songwriters demand consent"]
    assert [f.error_type for f in report.failures] == ["binary_content"]
    assert report.polls[0].state.consecutive_failures == 1


def test_future_dates_from_feeds_are_dropped(server, fetcher):
    future = "Mon, 06 May 2100 10:00:00 GMT"
    server.routes["/future.xml"] = Reply(200, RSS, GOOD_FEED.replace(b"Mon, 06 May 2024 10:00:00 GMT", future.encode(), 1))
    items = poll_sources(fetcher, [source("future", [server.url("/future.xml")])], {}, now=NOW).items
    assert [i.published_at for i in items] == [None, datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc)]


def test_idle_poll_of_forty_sources_is_fast(fetcher):
    routes = {f"/feed/{i}": conditional(Reply(200, RSS, GOOD_FEED.replace(b"good.example", f"s{i}.example".encode())), f'"v{i}"') for i in range(40)}
    with LocalServer(routes) as many:
        sources = [source(f"s{i}", [many.url(f"/feed/{i}")]) for i in range(40)]
        first = poll_sources(fetcher, sources, {}, now=NOW)
        assert len(first.items) == 80
        states = {p.source.id: p.state for p in first.polls}
        started = datetime.now(timezone.utc)
        idle = poll_sources(fetcher, sources, states, now=NOW + timedelta(hours=1))
        elapsed = datetime.now(timezone.utc) - started
    assert all(p.state.last_status == 304 for p in idle.polls) and idle.items == []
    assert elapsed < timedelta(seconds=10)  # generous: it takes well under a second (see the idle poll of `newswatch bench pipeline`)


@pytest.mark.integration
def test_state_round_trips_through_the_sources_index(es_ready, es_settings):
    src = source("rt", ["https://a.example/feed", "https://b.example/feed"])
    state = SourceState("rt", etags={"https://a.example/feed": 'W/"abc def"'}, last_modified={"https://b.example/feed": "Mon, 06 May 2024 10:00:00 GMT"},
                        last_polled_at=NOW, next_poll_at=NOW + timedelta(hours=1), consecutive_failures=2, healthy=False,
                        last_status=503, last_error="HTTP 503", last_error_at=NOW, entries_seen=7)
    report = write_states(make_indexer(es_settings, es_ready), [SourcePoll(src, state, [], [])], refresh=True)
    assert report.indexed == 1 and not report.rejected
    assert read_states(es_ready, es_settings.es.index_prefix, ["rt", "unknown"]) == {"rt": state}


@pytest.mark.integration
def test_items_already_indexed_are_dropped(es_ready, es_settings):
    url = "https://good.example/news/label-sues-ai-start-up"
    write_articles(make_indexer(es_settings, es_ready), [Article(url=url, canonical_url=url, source_id="good", text="x")], refresh=True)
    items = [FeedItem(url=url + "?utm_source=rss", canonical_url=url, source_id="good", found_at="f"),
             FeedItem(url="https://good.example/new", canonical_url="https://good.example/new", source_id="good", found_at="f")]
    assert [i.canonical_url for i in drop_known_items(es_ready, es_settings.es.index_prefix, items)] == ["https://good.example/new"]


def test_listing_discovery_keeps_article_links_only():
    links = discover_article_links(LISTING_PAGE.decode(), "https://society.example/society-of-creative-workers/newsroom")
    assert [(l.url, l.title) for l in links] == [
        ("https://society.example/news/2025/05/society-responds-to-ai-training-consultation", "Society responds to AI training consultation"),
        ("https://society.example/press/members-vote-on-licensing-framework-for-ai?utm_source=home", "Members vote on licensing framework for AI"),
    ]
    assert looks_like_article("https://x.example/2024/05/06/short")
    assert looks_like_article("https://x.example/story/123456")
    assert not looks_like_article("https://x.example/category/ai-and-music-news")
    assert not looks_like_article("https://x.example/contact")
    assert discover_article_links("", "https://x.example/") == []


@pytest.mark.fault
def test_a_huge_feed_gives_only_its_newest_entries_and_a_recorded_warning(server, fetcher):
    """Fault: a feed of thousands of entries must not flood one run (issue 18, case 4)."""
    entries = "".join(
        f"<item><title>Story {n}</title><link>https://big.example/news/story-{n}</link>"
        f"<pubDate>{(NOW - timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for n in range(1000)
    )
    server.routes["/big.xml"] = Reply(200, RSS, f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{entries}</channel></rss>'.encode())
    report = poll_sources(fetcher, [source("big", [server.url("/big.xml")])], {}, now=NOW, policy=PollPolicy(max_entries_per_feed=50))
    assert len(report.items) == 50
    assert {i.title for i in report.items} == {f"Story {n}" for n in range(50)}  # the newest
    assert [f.error_type for f in report.failures] == ["feed_truncated"]


@pytest.mark.fault
def test_planned_batches_never_exceed_what_airflow_can_map():
    from newswatch.pipeline import mapped_batches

    items = list(range(21_000))
    batches = mapped_batches(items, batch_size=20, max_batches=256)
    assert len(batches) <= 256 and sum(len(b) for b in batches) == 21_000
    assert mapped_batches(list(range(45)), batch_size=20, max_batches=256) == [list(range(20)), list(range(20, 40)), list(range(40, 45))]
