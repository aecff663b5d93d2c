"""Per-host politeness state: when a host may next be asked, and what its robots.txt decided.

The fetcher keeps this state in a *book*. ``LocalPoliteness`` is this process's own; a shared
book (``newswatch.indexing.politeness.SharedPoliteness``, kept in Elasticsearch) makes the
interval and the robots.txt decisions hold across every worker process and machine.
``PolitenessGuard`` puts a shared book in front of a local one: while the shared book cannot
be reached, this process goes on with its own state rather than stopping.

Times are wall-clock epoch seconds, so that processes (and machines with synchronised clocks)
agree on them.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypedDict, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class RobotsRecord(TypedDict):
    """One origin's robots.txt decision, as every worker uses it until ``expires_at``."""

    text: str | None  # the robots.txt body; None: no usable file (everything allowed) or a refusal
    refusal: str | None  # set when the whole origin is treated as disallowed (robots.txt unreachable)
    expires_at: float


class PolitenessBook(Protocol):
    def reserve(self, host: str, interval: float) -> float:
        """Book the host's next request slot, at least ``interval`` s after the last one; seconds to wait for it."""
        ...

    def robots(self, origin: str) -> RobotsRecord | None:
        """The origin's unexpired robots.txt decision, or None."""
        ...

    def publish_robots(self, origin: str, record: RobotsRecord) -> RobotsRecord:
        """Store ``record``; the decision to use, which is another worker's when it published first."""
        ...


class LocalPoliteness:
    """The book of this process alone, shared by its threads."""

    def __init__(self) -> None:
        self._next_slot: dict[str, float] = {}
        self._robots: dict[str, RobotsRecord] = {}
        self._lock = threading.Lock()

    def reserve(self, host: str, interval: float) -> float:
        with self._lock:
            now = time.time()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + interval
        return slot - now

    def robots(self, origin: str) -> RobotsRecord | None:
        with self._lock:
            record = self._robots.get(origin)
        return record if record and record["expires_at"] > time.time() else None

    def publish_robots(self, origin: str, record: RobotsRecord) -> RobotsRecord:
        with self._lock:
            self._robots[origin] = record
        return record


class PolitenessGuard:
    """A shared book with this process's own as stand-in while the shared one is unreachable.

    A shared book signals that it cannot be reached with ``ConnectionError``; the stand-in is then
    used for ``retry_after`` seconds before the shared book is tried again, so an unreachable
    cluster costs one timeout per minute, not one per request.
    """

    def __init__(self, shared: PolitenessBook, retry_after: float = 60.0):
        self.shared = shared
        self.local = LocalPoliteness()
        self.retry_after = retry_after
        self._shared_down_until = 0.0

    def _use(self, call: Callable[[PolitenessBook], T]) -> T:
        if time.monotonic() >= self._shared_down_until:
            try:
                return call(self.shared)
            except ConnectionError as exc:
                log.warning("shared politeness state unavailable (%s); this process keeps its own for %.0fs", exc, self.retry_after)
                self._shared_down_until = time.monotonic() + self.retry_after
        return call(self.local)

    def reserve(self, host: str, interval: float) -> float:
        return self._use(lambda book: book.reserve(host, interval))

    def robots(self, origin: str) -> RobotsRecord | None:
        return self._use(lambda book: book.robots(origin))

    def publish_robots(self, origin: str, record: RobotsRecord) -> RobotsRecord:
        return self._use(lambda book: book.publish_robots(origin, record))
