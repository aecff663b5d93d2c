"""The fetcher's politeness book kept in Elasticsearch (the ``hosts`` index), shared by every worker.

Request slots are booked with optimistic concurrency: a worker reads the host's document, moves its
``next_request_at`` on by the interval and writes it back only if nobody wrote in between
(``if_seq_no``/``if_primary_term``); on a conflict it reads again. Two workers therefore never get
the same slot, whichever process or machine they run on. A robots.txt decision is published once per
expiry: the first worker to write it wins and the others adopt it.

Implements ``newswatch.fetching.politeness.PolitenessBook`` (by shape: the two layers stay independent).
Cluster trouble is raised as ``ConnectionError``, on which the fetcher falls back to its own book.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from elasticsearch import (
    ApiError,
    ConflictError,
    Elasticsearch,
    NotFoundError,
    TransportError,
)

from newswatch.core.model import utcnow
from newswatch.indexing.schema import IndexNames

T = TypeVar("T")

# Each booking is two small requests; a cluster slower than this is treated as unavailable.
REQUEST_TIMEOUT_S = 5.0
MAX_BOOKING_ATTEMPTS = 50


class SharedPoliteness:
    def __init__(self, client: Elasticsearch, prefix: str):
        self.client = client.options(request_timeout=REQUEST_TIMEOUT_S, max_retries=1)
        self.index = IndexNames(prefix).alias("hosts")

    def reserve(self, host: str, interval: float) -> float:
        return self._unless_unavailable(lambda: self._book_slot(host, interval))

    def robots(self, origin: str) -> dict | None:
        found = self._unless_unavailable(lambda: self._read(f"robots:{origin}"))
        if found is None or found[0]["expires_at"] <= time.time():
            return None
        return _robots_record(found[0])

    def publish_robots(self, origin: str, record: dict) -> dict:
        return self._unless_unavailable(lambda: self._publish_robots(origin, record))

    def _book_slot(self, host: str, interval: float) -> float:
        doc_id = f"slot:{host}"
        for _ in range(MAX_BOOKING_ATTEMPTS):
            found = self._read(doc_id)
            now = time.time()
            slot = max(now, found[0]["next_request_at"]) if found else now
            document = {"@timestamp": utcnow().isoformat(), "host": host, "next_request_at": slot + interval}
            if self._write_unless_changed(doc_id, document, found):
                return slot - now
        raise ConnectionError(f"no request slot for {host} after {MAX_BOOKING_ATTEMPTS} attempts (too many workers contending)")

    def _publish_robots(self, origin: str, record: dict) -> dict:
        doc_id = f"robots:{origin}"
        found = self._read(doc_id)
        if found and found[0]["expires_at"] > time.time():
            return _robots_record(found[0])
        document = {
            "@timestamp": utcnow().isoformat(), "host": origin, "robots_text": record["text"],
            "robots_refusal": record["refusal"], "expires_at": record["expires_at"],
        }
        if self._write_unless_changed(doc_id, document, found):
            return record
        winner = self._read(doc_id)
        return _robots_record(winner[0]) if winner else record

    def _read(self, doc_id: str) -> tuple[dict, dict[str, Any]] | None:
        """The document and the concurrency guard that a conditional write of it needs, or None."""
        try:
            response = self.client.get(index=self.index, id=doc_id)
        except NotFoundError as exc:
            if isinstance(exc.body, dict) and exc.body.get("found") is False:
                return None
            raise  # no hosts index at all (setup not run): unavailable
        return response["_source"], {"if_seq_no": response["_seq_no"], "if_primary_term": response["_primary_term"]}

    def _write_unless_changed(self, doc_id: str, document: dict, read: tuple[dict, dict[str, Any]] | None) -> bool:
        """Write ``document`` if nobody has since the read (or, unread, if it does not exist yet)."""
        guard = read[1] if read else {"op_type": "create"}
        try:
            # require_alias: never let a write auto-create a plain index where setup puts the alias.
            self.client.index(index=self.index, id=doc_id, document=document, require_alias=True, **guard)
        except ConflictError:
            return False
        return True

    @staticmethod
    def _unless_unavailable(call: Callable[[], T]) -> T:
        try:
            return call()
        except (TransportError, ApiError) as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc


def _robots_record(source: dict) -> dict:
    return {"text": source.get("robots_text"), "refusal": source.get("robots_refusal"), "expires_at": source["expires_at"]}
