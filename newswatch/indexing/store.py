"""Article-level reads and writes on top of the bulk indexer.

Quotes are written before their article: an article document therefore means
"this item is complete", so a run killed midway is repaired by the next run
(which re-processes any item whose article document is missing).
"""
from __future__ import annotations

from datetime import datetime

from elasticsearch import Elasticsearch, TransportError, helpers

from newswatch.core.model import Article, stable_id
from newswatch.indexing.bulk import BulkReport, IndexAction, Indexer
from newswatch.indexing.corrections import corrections_for, with_corrections
from newswatch.indexing.documents import article_document, quote_document
from newswatch.indexing.schema import IndexNames


def existing_article_ids(client: Elasticsearch, prefix: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    response = client.mget(index=IndexNames(prefix).alias("articles"), ids=ids, source=False)
    return {doc["_id"] for doc in response["docs"] if doc.get("found")}


def _stale_quote_ids(client: Elasticsearch, prefix: str, articles: list[Article]) -> list[str]:
    # A re-extracted article may have fewer or different quotes than before.
    wanted = {q.document_id(a.id) for a in articles for q in a.quotes}
    hits = helpers.scan(
        client,
        index=IndexNames(prefix).alias("quotes"),
        query={"query": {"terms": {"article_id": [a.id for a in articles]}}, "_source": False},
    )
    return [hit["_id"] for hit in hits if hit["_id"] not in wanted]


def write_articles(indexer: Indexer, articles: list[Article], refresh: bool = False) -> BulkReport:
    report = BulkReport()
    if not articles:
        return report
    quotes = {quote.document_id(article.id): quote_document(article, quote) for article in articles for quote in article.quotes}
    documents = {a.id: article_document(a) for a in articles}
    try:
        # Analysts' corrections outlive reprocessing: what they fixed is fixed again before writing.
        corrections = corrections_for(indexer.client, indexer.names.prefix, [*quotes, *documents])
    except TransportError:
        corrections = {}  # the cluster is down: the writes below fail and are spooled, corrections with them
    quotes = with_corrections(quotes, corrections)
    documents = with_corrections(documents, corrections)
    renamed = {quotes[i]["article_id"] for i, found in corrections.items() if i in quotes and any(c["kind"] == "speaker" for c in found)}
    for article_id in renamed:  # the article's speaker list follows its corrected quotes
        documents[article_id]["speakers"] = sorted({q["speaker"] for q in quotes.values() if q["article_id"] == article_id and q["speaker"]})
    report.merge(indexer.index([IndexAction("quotes", i, d) for i, d in quotes.items()]))
    article_actions = [IndexAction("articles", i, d) for i, d in documents.items()]
    if report.cluster_error:
        report.merge(indexer.index(article_actions))
        return report
    stale = _stale_quote_ids(indexer.client, indexer.names.prefix, articles)
    report.merge(indexer.index([IndexAction("quotes", quote_id, {}, op="delete") for quote_id in stale]))
    report.merge(indexer.index(article_actions, refresh=refresh))
    return report


def load_articles(client: Elasticsearch, prefix: str, start: datetime, end: datetime, source_ids: list[str] | None = None):
    """Stored articles published (or fetched) in [start, end), for re-processing."""
    filters: list[dict] = [{"range": {"@timestamp": {"gte": start.isoformat(), "lt": end.isoformat()}}}]
    if source_ids:
        filters.append({"terms": {"source_id": source_ids}})
    for hit in helpers.scan(client, index=IndexNames(prefix).alias("articles"), query={"query": {"bool": {"filter": filters}}}):
        yield hit["_source"]


def run_report_action(report: dict) -> IndexAction:
    return IndexAction("runs", stable_id(report["dag_id"], report["run_id"]), report)
