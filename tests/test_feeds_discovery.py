"""Feed discovery against a local server and the real Elasticsearch: a listing page's announced feed
is verified, recorded on the source and polled; a feed on another site is refused; a moved feed is
rediscovered; the CLI proposes the catalogue change without writing it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from ingest_cases import RSS, TEST_POLICY, rss
from local_server import LocalServer, Reply

from newswatch.cli import main
from newswatch.feeds.catalogue import Source, dump_catalogue
from newswatch.feeds.discovery import (
    announced_feeds,
    platform_feed_urls,
    registrable_site,
    same_site,
)
from newswatch.feeds.poller import (
    PollPolicy,
    SourceState,
    poll_sources,
    read_states,
    run_poll,
)
from newswatch.fetching.safe_fetch import Fetcher
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(head: str, body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><title>Newsroom</title>{head}</head><body>{body}</body></html>".encode()


def source(source_id: str, feeds: tuple[str, ...] = (), listing_url: str | None = None) -> Source:
    return Source(id=source_id, name=source_id.title(), category="advocacy", language="en",
                  feeds=feeds, listing_url=listing_url, poll_interval_minutes=30)


@pytest.fixture
def fetcher():
    with Fetcher(TEST_POLICY) as shared:
        yield shared


def site_feed(server: LocalServer, *slugs: str) -> bytes:
    return rss("Guild news", [(slug.replace("-", " ").title(), server.url(f"/news/2026/11/{slug}")) for slug in slugs]).encode()


# -- pure functions ---------------------------------------------------------------------------------

def test_announced_feeds_are_the_alternate_links_of_feed_types_resolved_against_the_base():
    html = page(
        '<base href="https://guild.example/en/">'
        '<link rel="alternate" type="application/rss+xml" title="News" href="news/feed.xml">'
        '<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://guild.example/atom.xml">'
        '<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">'
        '<link rel="stylesheet" type="application/rss+xml" href="/not-a-feed.xml">'
    ).decode()
    assert announced_feeds(html, "https://guild.example/en/newsroom") == [
        "https://guild.example/en/news/feed.xml", "https://guild.example/atom.xml"]


def test_platform_paths_are_tried_under_the_listing_folder_then_the_site_root():
    urls = platform_feed_urls("https://guild.example/press/newsroom/")
    assert urls[0] == "https://guild.example/press/newsroom/feed"
    assert "https://guild.example/index.xml" in urls and "https://guild.example/feed.xml" in urls
    assert len(urls) == len(set(urls))


def test_same_site_is_the_registrable_site_and_an_ip_address_is_its_own_site():
    assert same_site("https://feeds.guild.co.uk/rss", "https://www.guild.co.uk/news/")
    assert not same_site("https://guild.example.net/rss", "https://guild.example.com/")
    assert registrable_site("http://127.0.0.1:8080/feed") == "127.0.0.1"
    assert not same_site("http://127.0.0.2/feed", "http://127.0.0.1/news")


# -- against the local server and Elasticsearch ---------------------------------------------------------

@pytest.mark.integration
def test_a_listing_page_announcing_its_feed_gets_the_feed_recorded_and_polled(fetcher, es_ready, es_settings, monkeypatch, capsys):
    prefix = es_settings.es.index_prefix
    with LocalServer() as server:
        server.routes["/newsroom/"] = Reply(200, HTML, page(
            '<link rel="alternate" type="application/rss+xml" href="/newsroom/feed.xml">',
            '<a href="/news/2026/11/guild-responds-to-ai-consultation">Guild responds</a>'))
        server.routes["/newsroom/feed.xml"] = Reply(200, RSS, site_feed(server, "guild-responds-to-ai-consultation", "members-back-licensing-code"))
        guild = source("guild", listing_url=server.url("/newsroom/"))
        indexer = make_indexer(es_settings, es_ready)

        first = run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW, refresh=True)
        state = read_states(es_ready, prefix, ["guild"])["guild"]
        assert state.discovered_feeds == [server.url("/newsroom/feed.xml")]
        assert state.polled_by == "discovered_feeds" and state.discovery_checked_at == NOW
        assert state.last_new_item_at == NOW
        # The feed's two entries (titled) come in the same poll; the page's link is the same story.
        assert sorted(i.title for i in first.items) == ["Guild Responds To Ai Consultation", "Members Back Licensing Code"]
        assert {i.found_at for i in first.items} == {server.url("/newsroom/feed.xml")}
        monkeypatch.setenv("ES_URL", es_settings.es.effective_url)
        monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", prefix)
        assert main(["sources", "status"]) == 0
        [row] = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("guild ")]
        assert row[1:5] == ["discovered_feeds", "True", "0", "200"] and row[5] == NOW.isoformat()[:19]

        listing_requests = len(server.requests_for("/newsroom/"))
        run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW + timedelta(hours=1), refresh=True)
        assert len(server.requests_for("/newsroom/")) == listing_requests, "the listing page is only the fallback now"
        assert len(server.requests_for("/newsroom/feed.xml")) == 3  # verified, polled, polled again

        # The feed goes away: the listing page takes over in the same poll and the feed is forgotten.
        server.routes["/newsroom/feed.xml"] = Reply(404, HTML, b"gone")
        server.routes["/newsroom/"] = Reply(200, HTML, page("", '<a href="/news/2026/11/guild-responds-to-ai-consultation">Guild responds</a>'))
        fallback = run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW + timedelta(hours=2), refresh=True)
        state = read_states(es_ready, prefix, ["guild"])["guild"]
        assert state.polled_by == "listing_page" and state.discovered_feeds == [] and state.consecutive_failures == 0
        assert [i.canonical_url for i in fallback.items] == [server.url("/news/2026/11/guild-responds-to-ai-consultation")]


@pytest.mark.integration
def test_a_feed_announced_on_another_site_is_refused_without_being_fetched(fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    with LocalServer() as server:
        elsewhere = f"http://localhost:{server.port}/aggregator/feed.xml"  # another host, same server
        server.routes["/newsroom/"] = Reply(200, HTML, page(
            f'<link rel="alternate" type="application/rss+xml" href="{elsewhere}">',
            '<a href="/news/2026/11/guild-responds-to-ai-consultation">Guild responds</a>'))
        server.routes["/aggregator/feed.xml"] = Reply(200, RSS, site_feed(server, "someone-elses-story-here"))
        guild = source("guild", listing_url=server.url("/newsroom/"))

        report = run_poll(es_ready, make_indexer(es_settings, es_ready), prefix, [guild], fetcher, now=NOW, refresh=True)
        assert server.requests_for("/aggregator/feed.xml") == []
        state = read_states(es_ready, prefix, ["guild"])["guild"]
        assert state.discovered_feeds == [] and state.polled_by == "listing_page"
        assert [i.canonical_url for i in report.items] == [server.url("/news/2026/11/guild-responds-to-ai-consultation")]
        hits = es_ready.search(index=IndexNames(prefix).alias("failures"), query={"term": {"error_type": "discovery_refused"}})["hits"]["hits"]
        assert [h["_source"]["url"] for h in hits] == [elsewhere]
        assert "another site (localhost" in hits[0]["_source"]["error"]


@pytest.mark.integration
def test_a_moved_feed_is_rediscovered_once_it_keeps_failing_while_the_site_answers(fetcher, es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    policy = PollPolicy(rediscover_after=2)
    with LocalServer() as server:
        server.routes["/"] = Reply(200, HTML, page('<link rel="alternate" type="application/rss+xml" href="/feeds/news.rss">'))
        server.routes["/feeds/news.rss"] = Reply(200, RSS, site_feed(server, "guild-moves-its-feed-today"))
        server.routes["/old/feed.xml"] = Reply(404, HTML, b"moved")
        guild = source("guild", feeds=(server.url("/old/feed.xml"),))
        indexer = make_indexer(es_settings, es_ready)

        first = run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW, policy=policy, refresh=True)
        assert first.items == [] and server.requests_for("/") == []  # one failure is not yet a pattern
        second = run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW + timedelta(hours=2), policy=policy, force=True, refresh=True)
        assert [i.canonical_url for i in second.items] == [server.url("/news/2026/11/guild-moves-its-feed-today")]
        state = read_states(es_ready, prefix, ["guild"])["guild"]
        assert state.discovered_feeds == [server.url("/feeds/news.rss")] and state.polled_by == "discovered_feeds"
        assert state.consecutive_failures == 0 and state.healthy
        # From now on the new feed is polled and the dead one is left alone.
        dead_requests = len(server.requests_for("/old/feed.xml"))
        run_poll(es_ready, indexer, prefix, [guild], fetcher, now=NOW + timedelta(hours=3), policy=policy, force=True, refresh=True)
        assert len(server.requests_for("/old/feed.xml")) == dead_requests


def test_a_failing_site_gets_no_rediscovery(fetcher):
    with LocalServer() as server:  # every path 404s, the home page included
        guild = source("guild", feeds=(server.url("/old/feed.xml"),))
        state = SourceState("guild", consecutive_failures=5)
        poll = poll_sources(fetcher, [guild], {"guild": state}, now=NOW, policy=PollPolicy(rediscover_after=2)).polls[0]
        assert poll.state.discovered_feeds == [] and poll.state.consecutive_failures == 6
        assert len(server.requests_for("/")) == 1 and server.requests_for("/feed") == []


def test_cli_discover_prints_what_it_found_and_a_diff_without_touching_the_catalogue(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSWATCH_PER_HOST_INTERVAL", "0")
    with LocalServer() as server:
        server.routes["/newsroom/"] = Reply(200, HTML, page(
            '<link rel="alternate" type="application/rss+xml" href="/newsroom/feed.xml">'
            f'<link rel="alternate" type="application/atom+xml" href="http://localhost:{server.port}/x.atom">'))
        server.routes["/newsroom/feed.xml"] = Reply(200, RSS, site_feed(server, "guild-responds-to-ai-consultation"))
        catalogue = tmp_path / "sources.yaml"
        text = "# my comments stay\n" + dump_catalogue([source("guild", listing_url=server.url("/newsroom/"))])
        catalogue.write_text(text, encoding="utf-8")

        assert main(["sources", "discover", "guild", "--write", "--catalogue", str(catalogue), "--allow", "127.0.0.1"]) == 0
        out = capsys.readouterr().out
        assert f"+ feed {server.url('/newsroom/feed.xml')} (announced): 1 entries with links" in out
        assert f"- feed http://localhost:{server.port}/x.atom (announced): on another site" in out
        assert f"+  feeds:\n+  - {server.url('/newsroom/feed.xml')}\n" in out
        assert catalogue.read_text(encoding="utf-8") == text

        assert main(["sources", "discover", "nobody", "--catalogue", str(catalogue)]) == 1
        assert "no source 'nobody'" in capsys.readouterr().err
