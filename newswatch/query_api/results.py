"""Elasticsearch answers turned into API results and export rows (pure functions)."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from newswatch.query_api.models import (
    ArticleOut,
    QuoteOut,
    QuoteSnippet,
    StanceOut,
    TopEntry,
    TrendPoint,
    TrendSeries,
)

ARTICLE_CSV_COLUMNS = (
    "id", "published_at", "source_id", "source_name", "title", "url", "summary", "stance_labels", "stance_confidence",
    "speakers", "organizations", "relevance", "cluster_id",
)
QUOTE_CSV_COLUMNS = (
    "id", "published_at", "speaker", "organization", "text", "stance_labels", "stance_confidence", "article_title",
    "article_url", "source_name",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _stance(values: list[dict] | None) -> list[StanceOut]:
    return [
        StanceOut(target_id=s["target_id"], label=s["label"], confidence=s.get("confidence"))
        for s in values or []
        if s.get("target_id") and s.get("label")
    ]


def quote_snippet(hit: dict) -> QuoteSnippet:
    source = hit.get("_source", {})
    return QuoteSnippet(
        id=hit["_id"],
        text=source.get("text"),
        speaker=source.get("speaker"),
        organization=source.get("organization"),
        kind=source.get("kind"),
        stance=_stance(source.get("stance")),
    )


def article_result(hit: dict, quotes: list[QuoteSnippet] | None = None) -> ArticleOut:
    source = hit.get("_source", {})
    entities = source.get("entities") or {}
    return ArticleOut(
        id=hit["_id"],
        url=source.get("canonical_url") or source.get("url"),
        title=source.get("title"),
        source_id=source.get("source_id"),
        source_name=source.get("source_name"),
        source_category=source.get("source_category"),
        published_at=source.get("published_at") or source.get("@timestamp"),
        authors=source.get("authors") or [],
        language=source.get("language"),
        summary=source.get("summary"),
        relevance=source.get("relevance"),
        is_relevant=source.get("is_relevant"),
        stance=_stance(source.get("stance")),
        people=entities.get("people") or [],
        organizations=entities.get("organizations") or [],
        speakers=source.get("speakers") or [],
        quote_count=source.get("quote_count"),
        cluster_id=source.get("cluster_id"),
        tags=source.get("tags") or [],
        score=hit.get("_score"),
        quotes=quotes or [],
        text=source.get("text"),  # present only when the server asked for it
    )


def quote_result(hit: dict) -> QuoteOut:
    source = hit.get("_source", {})
    return QuoteOut(
        id=hit["_id"],
        text=source.get("text"),
        speaker=source.get("speaker"),
        speaker_type=source.get("speaker_type"),
        organization=source.get("organization"),
        role=source.get("role"),
        kind=source.get("kind"),
        speech_act=source.get("speech_act"),
        cue=source.get("cue"),
        relevance=source.get("relevance"),
        is_relevant=source.get("is_relevant"),
        stance=_stance(source.get("stance")),
        published_at=source.get("published_at") or source.get("@timestamp"),
        source_id=source.get("source_id"),
        source_name=source.get("source_name"),
        article_id=source.get("article_id"),
        article_title=source.get("article_title"),
        article_url=source.get("article_url"),
        score=hit.get("_score"),
    )


def quotes_by_article(response: dict) -> dict[str, list[QuoteSnippet]]:
    buckets = response.get("aggregations", {}).get("by_article", {}).get("buckets", [])
    return {b["key"]: [quote_snippet(h) for h in b["first"]["hits"]["hits"]] for b in buckets}


def stance_series(response: dict, target: str | None) -> list[TrendSeries]:
    """Per target, the label counts of each interval (only the asked target when one is given)."""
    points: dict[str, list[TrendPoint]] = {}
    for bucket in response.get("aggregations", {}).get("over_time", {}).get("buckets", []):
        per_target: dict[str, dict[str, int]] = {}
        for label_bucket in bucket["labels"]["buckets"]:
            bucket_target, _, label = label_bucket["key"].rpartition(":")
            if bucket_target and (target is None or bucket_target == target):
                per_target.setdefault(bucket_target, {})[label] = label_bucket["doc_count"]
        for bucket_target, counts in per_target.items():
            points.setdefault(bucket_target, []).append(TrendPoint(date=bucket["key_as_string"], counts=counts))
    return [TrendSeries(target=t, points=p) for t, p in sorted(points.items())]


def top_entries(response: dict) -> list[TopEntry]:
    entries = []
    for bucket in response.get("aggregations", {}).get("top", {}).get("buckets", []):
        labels = bucket.get("label", {}).get("buckets", [])
        entries.append(
            TopEntry(
                value=str(bucket["key"]),
                count=bucket["doc_count"],
                label=str(labels[0]["key"]) if labels else None,
                stance={b["key"]: b["doc_count"] for b in bucket["stance"]["buckets"]},
            )
        )
    return entries


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def article_row(article: ArticleOut) -> dict:
    return {
        "id": article.id,
        "published_at": article.published_at,
        "source_id": article.source_id,
        "source_name": article.source_name,
        "title": article.title,
        "url": article.url,
        "summary": article.summary,
        "stance_labels": [f"{s.target_id}:{s.label}" for s in article.stance],
        "stance_confidence": stance_confidence(article.stance),
        "speakers": article.speakers,
        "organizations": article.organizations,
        "relevance": article.relevance,
        "cluster_id": article.cluster_id,
    }


def stance_confidence(stance: list[StanceOut]) -> list[str]:
    """``target:confidence`` per judgement, beside ``stance_labels``: how sure the model was."""
    return [f"{s.target_id}:{s.confidence:.2f}" for s in stance if s.confidence is not None]


def quote_row(quote: QuoteOut) -> dict:
    return {
        "id": quote.id,
        "published_at": quote.published_at,
        "speaker": quote.speaker,
        "organization": quote.organization,
        "text": quote.text,
        "stance_labels": [f"{s.target_id}:{s.label}" for s in quote.stance],
        "stance_confidence": stance_confidence(quote.stance),
        "article_title": quote.article_title,
        "article_url": quote.article_url,
        "source_name": quote.source_name,
    }


def csv_lines(rows: Iterable[dict], columns: tuple[str, ...]) -> Iterable[str]:
    """A header line, then one CSV line per row; cells that would run as formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(row.get(column)) for column in columns])
        yield buffer.getvalue()


def ndjson_lines(items: Iterable) -> Iterable[str]:
    for item in items:
        yield json.dumps(item.model_dump(mode="json"), ensure_ascii=False) + "\n"
