"""The ``digests`` index: one record per (subscription, digest date), the send ledger.

Writes go straight to Elasticsearch and must be acknowledged. The bulk indexer's
disk spool is deliberately not used here: a spooled "pending" record would look
written while the cluster cannot see it, and the at-most-once check would pass
twice. If the cluster cannot be reached, the delivery raises before anything is
sent and Airflow retries later.

Claiming a record uses optimistic concurrency (create-if-absent, or
``if_seq_no``/``if_primary_term``), so two workers racing on the same digest
cannot both send it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from elasticsearch import ConflictError, Elasticsearch, NotFoundError

from newswatch.core.model import stable_id, utcnow
from newswatch.indexing.schema import IndexNames

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"  # an empty day for a subscription whose empty_day is "skip": as final as "sent"
FINAL_STATUSES = (SENT, SKIPPED)


class DigestInProgress(RuntimeError):
    """Another attempt holds a fresh claim on this digest (it may be sending right now)."""


def record_id(subscription: str, digest_date: date) -> str:
    return stable_id("digest", subscription, digest_date.isoformat())


@dataclass(frozen=True)
class DigestRecord:
    id: str
    document: dict
    seq_no: int
    primary_term: int

    @property
    def status(self) -> str:
        return self.document["status"]

    @property
    def attempts(self) -> int:
        return int(self.document.get("attempts") or 0)


class DigestRecords:
    def __init__(self, client: Elasticsearch, prefix: str):
        self.client = client
        self.alias = IndexNames(prefix).alias("digests")

    def require_index(self) -> None:
        # Without this check a first write would auto-create a plain index with guessed mappings.
        if not self.client.indices.exists(index=self.alias):
            raise RuntimeError(f"index {self.alias} does not exist: run `newswatch setup` first")

    def get(self, subscription: str, digest_date: date) -> DigestRecord | None:
        try:
            found = self.client.get(index=self.alias, id=record_id(subscription, digest_date))
        except NotFoundError:
            return None
        return DigestRecord(found["_id"], found["_source"], found["_seq_no"], found["_primary_term"])

    def claim(self, existing: DigestRecord | None, document: dict) -> DigestRecord:
        """Write ``document`` as the pending record, failing if anyone else wrote since ``existing`` was read."""
        doc_id = record_id(document["subscription"], date.fromisoformat(document["digest_date"]))
        try:
            if existing is None:
                written = self.client.create(index=self.alias, id=doc_id, document=document, refresh="wait_for")
            else:
                written = self.client.index(
                    index=self.alias, id=doc_id, document=document, refresh="wait_for",
                    if_seq_no=existing.seq_no, if_primary_term=existing.primary_term,
                )
        except ConflictError as exc:
            raise DigestInProgress(
                f"digest {document['subscription']} {document['digest_date']} was claimed by another attempt"
            ) from exc
        return DigestRecord(doc_id, document, written["_seq_no"], written["_primary_term"])

    def update(self, record: DigestRecord, changes: dict) -> DigestRecord:
        document = {**record.document, **changes, "@timestamp": utcnow().isoformat()}
        written = self.client.index(index=self.alias, id=record.id, document=document, refresh="wait_for")
        return DigestRecord(record.id, document, written["_seq_no"], written["_primary_term"])

    def last_sent_window_end(self, subscription: str, before: date) -> datetime | None:
        """End of the period covered by the latest digest actually sent before ``before``."""
        # A cluster set up before this index existed has no ledger yet: no digest was sent.
        response = self.client.options(ignore_status=404).search(
            index=self.alias,
            size=1,
            query={"bool": {"filter": [
                {"term": {"subscription": subscription}},
                {"term": {"status": SENT}},
                {"range": {"digest_date": {"lt": before.isoformat()}}},
            ]}},
            sort=[{"digest_date": "desc"}],
            source=["window_end"],
        )
        hits = response.get("hits", {}).get("hits", [])
        if not hits or not hits[0]["_source"].get("window_end"):
            return None
        return datetime.fromisoformat(hits[0]["_source"]["window_end"])
