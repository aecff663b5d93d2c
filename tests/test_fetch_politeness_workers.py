"""Politeness across worker processes (issue 19, point 5): two processes fetch from one host at once.

The server notes when each request arrives. With the shared book (the ``hosts`` index) the configured
interval holds between any two requests, whichever process sent them, and both processes obey the same
robots.txt decision; with per-process books (the control) the two processes' requests interleave closer.
"""
from __future__ import annotations

import multiprocessing
import time
from dataclasses import replace
from itertools import pairwise

import pytest
from local_server import LocalServer, Reply, Request

from newswatch.core.settings import FetchSettings, Settings
from newswatch.fetching.politeness import LocalPoliteness, PolitenessGuard
from newswatch.indexing.politeness import SharedPoliteness
from newswatch.pipeline import make_fetcher

pytestmark = pytest.mark.integration

INTERVAL = 0.5
# A request leaves when its booked slot comes; on a loaded 2-core machine the wake-up and the send
# may lag by some tens of milliseconds, so one gap may look that much shorter than the interval.
JITTER = 0.1
PAGES_PER_WORKER = 4
PAGE = Reply(200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body><p>page</p></body></html>")


class TimedHost:
    """A local host whose robots.txt forbids /private the first time it is read and nothing afterwards,
    so two workers deciding separately could disagree; it logs every request's arrival time."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.robots_reads = 0
        self.server = LocalServer({"/robots.txt": self._robots, "/private": self._page})
        for number in range(2 * PAGES_PER_WORKER):
            self.server.routes[f"/page/{number}"] = self._page

    def _robots(self, request: Request) -> Reply:
        self.arrivals.append(time.time())
        self.robots_reads += 1
        body = b"User-agent: *\nDisallow: /private\n" if self.robots_reads == 1 else b"User-agent: *\nDisallow:\n"
        return Reply(200, {"Content-Type": "text/plain"}, body)

    def _page(self, request: Request) -> Reply:
        self.arrivals.append(time.time())
        return PAGE

    def gaps(self) -> list[float]:
        times = sorted(self.arrivals)
        return [later - earlier for earlier, later in pairwise(times)]


def _fetch_as_worker(settings: Settings, urls: list[str], results) -> None:
    from newswatch.fetching.errors import RobotsDisallowed

    outcome = {}
    with make_fetcher(settings) as fetcher:
        for url in urls:
            try:
                fetcher.fetch(url)
                outcome[url] = "fetched"
            except RobotsDisallowed:
                outcome[url] = "disallowed"
    results.put(outcome)


def _run_two_workers(settings: Settings, host: TimedHost) -> list[dict]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_fetch_as_worker, args=(
            settings,
            [host.server.url(f"/page/{number}") for number in range(offset, 2 * PAGES_PER_WORKER, 2)] + [host.server.url("/private")],
            results,
        ))
        for offset in (0, 1)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0
    return outcomes


def _politely(settings: Settings, shared: bool) -> Settings:
    return replace(settings, fetch=FetchSettings(allow=("127.0.0.1",), per_host_interval=INTERVAL, shared_politeness=shared))


def test_two_worker_processes_keep_the_interval_and_one_robots_decision(es_ready, es_settings):
    host = TimedHost()
    with host.server:
        outcomes = _run_two_workers(_politely(es_settings, shared=True), host)
    private = host.server.url("/private")
    assert len({outcome[private] for outcome in outcomes}) == 1, outcomes
    assert all(outcome[url] == "fetched" for outcome in outcomes for url in outcome if url != private)
    gaps = host.gaps()
    assert len(gaps) >= 2 * PAGES_PER_WORKER  # robots.txt and every page, at the least
    assert min(gaps) >= INTERVAL - JITTER, [round(gap, 3) for gap in gaps]
    assert sum(gaps) >= len(gaps) * INTERVAL - JITTER  # lags never add up: each slot is booked from the last


def test_per_process_politeness_lets_two_workers_crowd_one_host(es_ready, es_settings):
    """The control: without the shared book each process keeps only its own interval."""
    host = TimedHost()
    with host.server:
        outcomes = _run_two_workers(_politely(es_settings, shared=False), host)
    assert min(host.gaps()) < INTERVAL - JITTER
    # Each process read robots.txt itself, one before and one after it changed: they disagree.
    assert {outcome[host.server.url("/private")] for outcome in outcomes} == {"fetched", "disallowed"}


def test_the_shared_book_hands_out_distinct_slots_and_keeps_the_first_robots_decision(es_ready, es_settings):
    book = SharedPoliteness(es_ready, es_settings.es.index_prefix)
    waits = [book.reserve("example.org", 10.0) for _ in range(3)]
    assert waits[0] < 1 and 9 < waits[1] - waits[0] < 11 and 9 < waits[2] - waits[1] < 11
    first = {"text": "User-agent: *\nDisallow: /a\n", "refusal": None, "expires_at": time.time() + 60}
    second = {"text": None, "refusal": None, "expires_at": time.time() + 60}
    assert book.publish_robots("http://example.org", first) == first
    assert book.publish_robots("http://example.org", second) == first
    assert book.robots("http://example.org") == first
    assert book.robots("http://other.example.org") is None


def test_an_unreachable_cluster_leaves_each_process_its_own_book(es_base_settings):
    from newswatch.indexing.connection import es_client

    dead = es_base_settings.with_es(url="http://127.0.0.1:9", request_timeout=1)
    guard = PolitenessGuard(SharedPoliteness(es_client(dead.es), "nowhere"))
    assert guard.reserve("example.org", 5.0) < 1
    assert 4 < guard.reserve("example.org", 5.0) <= 5  # the stand-in book, without asking the cluster again
    assert isinstance(guard.local, LocalPoliteness) and guard.robots("http://example.org") is None


def test_a_missing_hosts_index_is_never_created_by_a_write(es, es_settings):
    """Before `newswatch setup` the book is unavailable (the fetcher keeps its own), rather than a write
    auto-creating a plain index where setup puts the alias."""
    book = SharedPoliteness(es, es_settings.es.index_prefix)
    with pytest.raises(ConnectionError):
        book.reserve("example.org", 1.0)
    assert not es.indices.exists(index=f"{es_settings.es.index_prefix}-hosts")
