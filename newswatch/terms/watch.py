"""Fetch each watched document, compare with its last stored version, store a new version only on change.

A version document carries the full text, its content hash, the readable diff
against the previous version and the AI-clause classification of the change.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from elasticsearch import Elasticsearch, NotFoundError

from newswatch.core.model import Failure, stable_id, utcnow
from newswatch.fetching.errors import FetchError
from newswatch.indexing.bulk import IndexAction, Indexer
from newswatch.indexing.schema import IndexNames
from newswatch.terms.catalogue import TermsDocument
from newswatch.terms.compare import (
    SelectorNotFound,
    classify_change,
    comparable,
    diff_texts,
    extract_document_text,
)

log = logging.getLogger(__name__)
STAGE = "terms"


def content_hash(text: str) -> str:
    return hashlib.sha256(comparable(text).encode("utf-8")).hexdigest()


def version_id(document: TermsDocument, version: int) -> str:
    return stable_id(document.platform, document.document, str(version))


def latest_version(client: Elasticsearch, prefix: str, document: TermsDocument) -> dict | None:
    try:
        response = client.search(
            index=IndexNames(prefix).alias("terms"),
            query={"bool": {"filter": [{"term": {"platform": document.platform}}, {"term": {"document": document.document}}]}},
            sort=[{"version": "desc"}],
            size=1,
        )
    except NotFoundError:
        return None
    hits = response["hits"]["hits"]
    return hits[0]["_source"] if hits else None


def list_versions(client: Elasticsearch, prefix: str, platform: str | None = None, limit: int = 1000) -> list[dict]:
    """Every stored version (platform, document, version, dates, AI flag), by document then version."""
    query = {"term": {"platform": platform}} if platform else {"match_all": {}}
    try:
        response = client.search(
            index=IndexNames(prefix).alias("terms"), query=query, size=limit,
            sort=[{"platform": "asc"}, {"document": "asc"}, {"version": "asc"}],
            source=["platform", "document", "doc_type", "version", "fetched_at", "changed_at", "ai_related", "ai_change_kinds", "url"],
        )
    except NotFoundError:
        return []
    return [hit["_source"] for hit in response["hits"]["hits"]]


def get_version(client: Elasticsearch, prefix: str, platform: str, document: str, version: int) -> dict:
    doc_id = stable_id(platform, document, str(version))
    try:
        return client.get(index=IndexNames(prefix).alias("terms"), id=doc_id)["_source"]
    except NotFoundError as exc:
        raise LookupError(f"no version {version} of {platform}/{document}") from exc


def new_version_document(document: TermsDocument, text: str, previous: dict | None, fetched_at: datetime) -> dict | None:
    """The next version's document, or None when the text is unchanged (noise ignored)."""
    digest = content_hash(text)
    if previous and previous["content_hash"] == digest:
        return None
    version = (previous["version"] + 1) if previous else 1
    doc = {
        "@timestamp": fetched_at.isoformat(),
        "platform": document.platform,
        "document": document.document,
        "doc_type": document.doc_type,
        "url": document.url,
        "version": version,
        "content_hash": digest,
        "text": text,
        "fetched_at": fetched_at.isoformat(),
        "ai_related": False,
        "ai_change_kinds": [],
        "ai_passages": [],
        "ai_terms": [],
    }
    if previous:
        diff = diff_texts(previous["text"], text, f"v{previous['version']}", f"v{version}")
        change = classify_change(diff)
        doc.update(
            changed_at=fetched_at.isoformat(),
            previous_version=previous["version"],
            diff=diff.unified,
            added_passages=diff.added,
            removed_passages=diff.removed,
            ai_related=change.ai_related,
            ai_change_kinds=change.kinds,
            ai_passages=change.passages,
            ai_terms=change.terms,
        )
    return doc


@dataclass
class TermsCheckReport:
    unchanged: list[str] = field(default_factory=list)
    new_versions: list[dict] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "checked": len(self.unchanged) + len(self.new_versions) + len(self.failures),
            "unchanged": len(self.unchanged),
            "new_versions": len(self.new_versions),
            "ai_related_changes": sum(1 for v in self.new_versions if v["ai_related"]),
            "failures": len(self.failures),
        }


def check_documents(
    fetcher, client: Elasticsearch, indexer: Indexer, prefix: str, documents: list[TermsDocument], run_id: str | None = None,
) -> TermsCheckReport:
    """Check every document; one failing never stops the others, and every failure is recorded."""
    report = TermsCheckReport()
    for document in documents:
        try:
            result = fetcher.fetch(document.url, expect=("html",))
            text = extract_document_text(result.text, document.selector, document.remove)
            if not text.strip():
                raise SelectorNotFound(f"selector {document.selector!r} matched an empty element")
        except (FetchError, SelectorNotFound, ValueError) as exc:
            # Selector drift is a source failure: the last stored version stays the current one.
            report.failures.append(Failure.from_exception(
                STAGE, exc, context=document.key, item_id=stable_id(document.platform, document.document),
                url=document.url, source_id=document.platform, run_id=run_id,
            ))
            continue
        doc = new_version_document(document, text, latest_version(client, prefix, document), utcnow())
        if doc is None:
            report.unchanged.append(document.key)
            continue
        indexer.index([IndexAction("terms", version_id(document, doc["version"]), doc)], refresh=True)
        report.new_versions.append(doc)
        log.info("%s: stored version %d (ai_related=%s)", document.key, doc["version"], doc["ai_related"])
    if report.failures:
        indexer.record_failures(report.failures)
    return report
