"""Bulk upserts that never lose a document.

* Deterministic ids make every write an idempotent upsert.
* 429 and 5xx answers are retried with exponential back-off.
* A document the mapping rejects is quarantined on disk and recorded in the
  ``failures`` index, while the rest of its batch is indexed.
* If the cluster cannot be reached, everything not yet acknowledged is spooled
  to disk and replayed first by the next run.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from newswatch.core.model import Failure
from newswatch.indexing.schema import IndexNames

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)


class ClusterUnavailable(RuntimeError):
    """Raised to callers that must know the cluster is down (the documents are spooled)."""


@dataclass(frozen=True)
class IndexAction:
    index: str  # logical index name, e.g. "articles"
    id: str
    document: dict
    op: Literal["index", "update", "delete"] = "index"

    def bulk_action(self, names: IndexNames) -> dict:
        target = names.alias(self.index)
        if self.op == "delete":
            return {"_op_type": "delete", "_index": target, "_id": self.id}
        if self.op == "update":
            return {"_op_type": "update", "_index": target, "_id": self.id, "doc": self.document, "doc_as_upsert": True}
        return {"_op_type": "index", "_index": target, "_id": self.id, "_source": self.document}


class Spool:
    """Newline-delimited JSON files of actions the cluster has not acknowledged yet."""

    def __init__(self, directory: Path):
        self.directory = directory

    def write(self, actions: list[IndexAction]) -> Path | None:
        if not actions:
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"spool-{uuid.uuid4().hex}.ndjson"
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for action in actions:
                handle.write(json.dumps(asdict(action), default=str) + "\n")
        partial.rename(path)  # a crash mid-write leaves a .partial, never a truncated spool file
        return path

    def pending(self) -> list[Path]:
        """Spool files waiting for replay, oldest first (files another worker removes meanwhile are skipped)."""
        if not self.directory.exists():
            return []
        dated = []
        for path in self.directory.glob("spool-*.ndjson"):
            try:
                dated.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue
        return [path for _, path in sorted(dated)]

    def claim(self, path: Path) -> Path | None:
        """Take ``path`` for replay by renaming it (atomic): None when another worker took it first.

        Workers sharing one NEWSWATCH_HOME may replay the same spool at once; only the
        one whose rename succeeds replays a file, so no document is sent twice and none is lost.
        """
        claimed = path.with_name(f"{path.stem}.claimed-{uuid.uuid4().hex}")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return None
        return claimed

    @staticmethod
    def release(claimed: Path) -> None:
        """Put a claimed file back for a later replay (the cluster went away again)."""
        claimed.rename(claimed.with_name(claimed.name.split(".claimed-", 1)[0] + ".ndjson"))

    @staticmethod
    def read(path: Path) -> list[IndexAction]:
        with path.open(encoding="utf-8") as handle:
            return [IndexAction(**json.loads(line)) for line in handle if line.strip()]

    def pending_count(self) -> int:
        return sum(len(self.read(path)) for path in self.pending())


@dataclass
class BulkReport:
    indexed: int = 0
    rejected: list[Failure] = field(default_factory=list)
    spooled: int = 0
    replayed: int = 0
    cluster_error: str | None = None

    def merge(self, other: "BulkReport") -> None:
        self.indexed += other.indexed
        self.rejected.extend(other.rejected)
        self.spooled += other.spooled
        self.replayed += other.replayed
        self.cluster_error = other.cluster_error or self.cluster_error

    def summary(self) -> str:
        text = f"indexed={self.indexed} rejected={len(self.rejected)} spooled={self.spooled} replayed={self.replayed}"
        if self.cluster_error:
            text += f" cluster_error={self.cluster_error}"
        return text


class Indexer:
    def __init__(
        self,
        client: Elasticsearch,
        prefix: str,
        spool: Spool,
        quarantine_dir: Path,
        run_id: str | None = None,
        max_retries: int = 5,
        initial_backoff: float = 0.5,
        chunk_size: int = 500,
    ):
        self.client = client
        self.names = IndexNames(prefix)
        self.spool = spool
        self.quarantine_dir = quarantine_dir
        self.run_id = run_id
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.chunk_size = chunk_size

    def index(self, actions: Iterable[IndexAction], refresh: bool = False) -> BulkReport:
        """Replay the spool, then write ``actions``; never raises for cluster trouble."""
        report = self.replay_spool()
        pending = list(actions)
        if report.cluster_error:
            report.spooled += len(pending)
            self.spool.write(pending)
            return report
        report.merge(self._send(pending, refresh=refresh))
        return report

    def replay_spool(self) -> BulkReport:
        report = BulkReport()
        for pending in self.spool.pending():
            path = self.spool.claim(pending)
            if path is None:
                continue
            actions = Spool.read(path)
            result = self._send(actions, refresh=False, spool_on_failure=False)
            if result.cluster_error:
                Spool.release(path)
                report.cluster_error = result.cluster_error
                return report
            path.unlink()
            report.replayed += result.indexed
            report.rejected.extend(result.rejected)
        return report

    def record_failures(self, failures: list[Failure]) -> BulkReport:
        actions = [IndexAction("failures", f.id, failure_document(f)) for f in failures]
        return self.index(actions)

    def _send(self, actions: list[IndexAction], refresh: bool, spool_on_failure: bool = True) -> BulkReport:
        report = BulkReport()
        if not actions:
            return report
        by_id = {(a.index, a.id): a for a in actions}
        acknowledged: set[tuple[str, str]] = set()
        rejected: list[tuple[IndexAction, dict]] = []
        alias_to_name = {self.names.alias(a.index): a.index for a in actions}
        try:
            for ok, item in helpers.streaming_bulk(
                self.client,
                (a.bulk_action(self.names) for a in actions),
                chunk_size=self.chunk_size,
                max_retries=self.max_retries,
                initial_backoff=self.initial_backoff,
                retry_on_status=RETRY_STATUSES,
                raise_on_error=False,
                raise_on_exception=True,
            ):
                (_, result), = item.items()
                key = (_logical(result.get("_index", ""), alias_to_name), result["_id"])
                acknowledged.add(key)
                if ok or (action_op(by_id.get(key)) == "delete" and result.get("status") == 404):
                    report.indexed += 1
                elif key in by_id:
                    rejected.append((by_id[key], result))
        except (TransportError, ApiError) as exc:
            report.cluster_error = f"{type(exc).__name__}: {exc}"
            remaining = [a for key, a in by_id.items() if key not in acknowledged]
            log.error("Elasticsearch unreachable (%s); spooling %d documents", report.cluster_error, len(remaining))
            if spool_on_failure:
                self.spool.write(remaining)
                report.spooled = len(remaining)
        if refresh and not report.cluster_error:
            self.client.indices.refresh(index=",".join(sorted({self.names.alias(a.index) for a in actions})))
        if rejected:
            report.rejected = [self._quarantine(action, result) for action, result in rejected]
            failure_actions = [IndexAction("failures", f.id, failure_document(f)) for f in report.rejected]
            if all(a.index != "failures" for a, _ in rejected):
                report.merge(self._send(failure_actions, refresh=refresh))
        return report

    def _quarantine(self, action: IndexAction, result: dict) -> Failure:
        error = result.get("error", {})
        if isinstance(error, dict):
            error_type = error.get("type", "unknown")
            reason = error.get("reason", json.dumps(error))
            caused = error.get("caused_by", {}).get("reason")
            message = f"{reason} ({caused})" if caused else reason
        else:
            error_type, message = "unknown", str(error)
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        payload = self.quarantine_dir / f"{action.index}-{action.id}.json"
        payload.write_text(json.dumps(asdict(action), default=str, indent=1), encoding="utf-8")
        log.warning("document %s rejected by %s: %s", action.id, action.index, message)
        return Failure(
            stage=f"index:{action.index}",
            error_type=error_type,
            error=f"HTTP {result.get('status')}: {message}",
            item_id=action.id,
            url=action.document.get("url") if isinstance(action.document, dict) else None,
            source_id=action.document.get("source_id") if isinstance(action.document, dict) else None,
            payload_ref=str(payload),
            run_id=self.run_id,
        )


def action_op(action: IndexAction | None) -> str | None:
    return action.op if action else None


def _logical(concrete_index: str, alias_to_name: dict[str, str]) -> str:
    # Bulk answers name the concrete index (prefix-name-vN), not the alias we wrote to.
    for alias, name in alias_to_name.items():
        if concrete_index == alias or concrete_index.startswith(alias + "-v"):
            return name
    return concrete_index


def failure_document(failure: Failure) -> dict:
    doc = failure.model_dump(mode="json", exclude={"occurred_at"})
    doc["@timestamp"] = failure.occurred_at.isoformat()
    return doc
