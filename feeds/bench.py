"""Idle-poll benchmark: how long one poll run takes when every source answers 304.

Most poll runs are idle (nothing new anywhere), so their cost is the floor of
the polling schedule. The benchmark serves N feeds from a local server that
honours ETags, polls them all once (200, full feeds) and again (304), with the
same thread pool and fetcher the real poller uses. All feeds share one host
here, so the per-host rate limit is switched off; real sources are on different
hosts and are not slowed by it either.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from feeds.catalogue import Source
from feeds.poller import PollPolicy, poll_sources
from fetching.local_server import LocalServer, Reply, Request
from fetching.safe_fetch import Fetcher, FetchPolicy
from fetching.ssrf import AddressPolicy


def _feed(index: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>Story {index}-{n}</title><link>https://source{index}.example/story-{n}-about-ai-training</link>"
        f"<pubDate>Mon, 06 May 2024 10:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(entries)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {index}</title>{items}</channel></rss>'.encode()


def _route(index: int, entries: int):
    body = _feed(index, entries)
    etag = f'"feed-{index}-v1"'

    def reply(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}, body)

    return reply


@dataclass(frozen=True)
class IdlePollResult:
    sources: int
    workers: int
    first_poll_seconds: float
    idle_poll_seconds: float
    items_first_poll: int
    not_modified: int


def idle_poll_benchmark(sources: int = 40, workers: int = 16, entries: int = 20) -> IdlePollResult:
    routes = {f"/feed/{i}": _route(i, entries) for i in range(sources)}
    policy = FetchPolicy(per_host_interval=0, addresses=AddressPolicy.allowing("127.0.0.1"))
    poll_policy = PollPolicy(max_workers=workers)
    with LocalServer(routes) as server, Fetcher(policy) as fetcher:
        catalogue = [
            Source(id=f"bench-{i}", name=f"Bench {i}", category="tech_press", language="en",
                   feeds=(server.url(f"/feed/{i}"),), poll_interval_minutes=30)
            for i in range(sources)
        ]
        started = time.perf_counter()
        first = poll_sources(fetcher, catalogue, {}, policy=poll_policy, force=True)
        first_seconds = time.perf_counter() - started
        states = {p.source.id: p.state for p in first.polls}
        started = time.perf_counter()
        idle = poll_sources(fetcher, catalogue, states, policy=poll_policy, force=True)
        idle_seconds = time.perf_counter() - started
    return IdlePollResult(
        sources=sources, workers=workers, first_poll_seconds=first_seconds, idle_poll_seconds=idle_seconds,
        items_first_poll=len(first.items), not_modified=sum(1 for p in idle.polls if p.state.last_status == 304),
    )


def print_table(result: IdlePollResult) -> None:
    print(f"{'sources':>8} {'workers':>8} {'first poll s':>13} {'idle poll s':>12} {'ms/source idle':>15} {'304s':>6} {'items':>6}")
    print(
        f"{result.sources:>8} {result.workers:>8} {result.first_poll_seconds:>13.3f} {result.idle_poll_seconds:>12.3f} "
        f"{1000 * result.idle_poll_seconds / max(1, result.sources):>15.1f} {result.not_modified:>6} {result.items_first_poll:>6}"
    )
