"""Elasticsearch request bodies built from validated parameters (pure functions).

User text only ever reaches Elasticsearch as the input of a ``simple_query_string``
(which never raises on syntax) restricted to cheap operators, or as a value of
``term``/``range`` filters on fields chosen here, never as DSL or field names.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from newswatch.query_api.models import Filters

# No fuzzy, slop or near operators: they are the expensive ones and analysts don't need them.
SIMPLE_QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE|ESCAPE|PREFIX"
TRACK_TOTAL_HITS = 10_000
KNN_CANDIDATES_PER_RESULT = 10


class InputError(ValueError):
    """Parameters that are well-formed but not acceptable together (a 422 for the client)."""

    def __init__(self, field: str | None, problem: str):
        super().__init__(problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class IndexSpec:
    """What a public index offers to queries: which fields answer which filter."""

    name: str
    text_fields: tuple[str, ...]
    title_fields: tuple[str, ...]  # matched by q only on request (``titles``): a quote is not its article's title
    speaker_field: str
    organization_field: str  # a lowercase-normalized keyword
    tiebreak: tuple[str, ...]  # unique together, so search_after pages never overlap
    source_fields: tuple[str, ...]


ARTICLES = IndexSpec(
    name="articles",
    text_fields=("title^3", "summary^2", "text"),
    title_fields=(),
    speaker_field="speakers",
    organization_field="entities.organizations.normalized",
    tiebreak=("canonical_url",),
    source_fields=(
        "canonical_url", "url", "title", "source_id", "source_name", "source_category", "published_at", "@timestamp",
        "authors", "language", "summary", "relevance", "is_relevant", "stance", "entities", "speakers", "quote_count",
        "cluster_id", "tags",
    ),
)
QUOTES = IndexSpec(
    name="quotes",
    text_fields=("text^2", "speaker.text"),
    title_fields=("article_title",),
    speaker_field="speaker",
    organization_field="organization.normalized",
    tiebreak=("article_id", "position"),
    source_fields=(
        "text", "speaker", "speaker_type", "organization", "role", "kind", "speech_act", "cue", "relevance", "is_relevant", "stance",
        "published_at", "@timestamp", "source_id", "source_name", "article_id", "article_title", "article_url",
    ),
)
INDEX_SPECS = {spec.name: spec for spec in (ARTICLES, QUOTES)}


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def as_strings(self) -> tuple[str, str]:
        return self.start.isoformat(), self.end.isoformat()

    @staticmethod
    def from_strings(values: tuple[str, str]) -> "Window":
        return Window(datetime.fromisoformat(values[0]), datetime.fromisoformat(values[1]))


def resolve_window(date_from: datetime | None, date_to: datetime | None, max_days: int, now: datetime) -> Window:
    """The searched time window: defaults to the last ``max_days`` and may never be wider."""
    end = date_to or now.astimezone(timezone.utc)
    start = date_from or end - timedelta(days=max_days)
    if start > end:
        raise InputError("from", "'from' is after 'to'")
    if end - start > timedelta(days=max_days):
        raise InputError("from", f"time range is longer than the allowed {max_days} days; narrow 'from'/'to'")
    return Window(start, end)


def full_text_clause(text: str | None, spec: IndexSpec, with_titles: bool = False) -> dict | None:
    if text is None or not text.strip():
        return None
    return {
        "simple_query_string": {
            "query": text,
            "fields": list(spec.text_fields + (spec.title_fields if with_titles else ())),
            "default_operator": "and",
            "flags": SIMPLE_QUERY_FLAGS,
            "lenient": True,
        }
    }


def filter_clauses(filters: Filters, spec: IndexSpec, window: Window) -> list[dict]:
    clauses: list[dict] = [
        {"range": {"@timestamp": {"gte": window.start.isoformat(), "lte": window.end.isoformat()}}}
    ]
    if filters.speaker:
        clauses.append({"term": {spec.speaker_field: {"value": filters.speaker, "case_insensitive": True}}})
    if filters.organization:
        clauses.append({"term": {spec.organization_field: filters.organization.lower()}})
    # stance is an array of objects (not nested): target AND label must use the combined keyword.
    if filters.target and filters.label:
        clauses.append({"term": {"stance_labels": f"{filters.target}:{filters.label}"}})
    elif filters.target:
        clauses.append({"term": {"stance.target_id": filters.target}})
    elif filters.label:
        clauses.append({"term": {"stance.label": filters.label}})
    if filters.source:
        clauses.append({"terms": {"source_id": sorted(set(filters.source))}})
    if filters.min_relevance is not None:
        clauses.append({"range": {"relevance": {"gte": filters.min_relevance}}})
    if filters.relevant_only:
        clauses.append({"term": {"is_relevant": True}})
    return clauses


def bool_query(filters: Filters, spec: IndexSpec, window: Window, use_text: bool = True) -> dict:
    query: dict = {"filter": filter_clauses(filters, spec, window)}
    text = full_text_clause(filters.q, spec, filters.titles) if use_text else None
    if text:
        query["must"] = [text]
    return {"bool": query}


def sort_spec(sort: str, spec: IndexSpec) -> list[dict]:
    tiebreak = [{field: "asc"} for field in spec.tiebreak]
    if sort == "relevance":
        return [{"_score": "desc"}, {"@timestamp": "desc"}, *tiebreak]
    return [{"@timestamp": "asc" if sort == "oldest" else "desc"}, *tiebreak]


def search_body(
    filters: Filters,
    spec: IndexSpec,
    window: Window,
    sort: str,
    size: int,
    after: list | None,
    source_fields: tuple[str, ...],
) -> dict:
    body = {
        "query": bool_query(filters, spec, window),
        "sort": sort_spec(sort, spec),
        "size": size,
        "track_total_hits": TRACK_TOTAL_HITS,
        "_source": {"includes": list(source_fields)},
    }
    if after:
        body["search_after"] = after
    return body


def knn_body(vector: list[float], filters: Filters, window: Window, k: int, source_fields: tuple[str, ...]) -> dict:
    # The text itself is the similarity query; the other filters restrict the candidates.
    return {
        "knn": {
            "field": "embedding",
            "query_vector": vector,
            "k": k,
            "num_candidates": max(100, k * KNN_CANDIDATES_PER_RESULT),
            "filter": bool_query(filters, ARTICLES, window, use_text=False),
        },
        "size": k,
        "_source": {"includes": list(source_fields)},
    }


def quotes_of_articles_body(article_ids: list[str], per_article: int) -> dict:
    """The first quotes of each listed article, in one request."""
    return {
        "query": {"bool": {"filter": [{"terms": {"article_id": article_ids}}]}},
        "size": 0,
        "aggs": {
            "by_article": {
                "terms": {"field": "article_id", "size": len(article_ids)},
                "aggs": {
                    "first": {
                        "top_hits": {
                            "size": per_article,
                            "sort": [{"position": "asc"}],
                            "_source": {"includes": ["speaker", "organization", "text", "kind", "stance"]},
                        }
                    }
                },
            }
        },
    }


def outlets_of_clusters_body(cluster_ids: list[str], outlets_per_story: int = 50) -> dict:
    return {
        "query": {"bool": {"filter": [{"terms": {"cluster_id": cluster_ids}}]}},
        "size": 0,
        "aggs": {"clusters": {"terms": {"field": "cluster_id", "size": len(cluster_ids)},
                              "aggs": {"outlets": {"terms": {"field": "source_name", "size": outlets_per_story}}}}},
    }


def stance_trend_body(filters: Filters, spec: IndexSpec, window: Window, interval: str) -> dict:
    return {
        "query": bool_query(filters, spec, window),
        "size": 0,
        "aggs": {
            "over_time": {
                "date_histogram": {"field": "@timestamp", "calendar_interval": interval, "min_doc_count": 1},
                "aggs": {"labels": {"terms": {"field": "stance_labels", "size": 200}}},
            }
        },
    }


@dataclass(frozen=True)
class Facet:
    index: str
    field: str
    label_field: str | None  # a display name shown next to each value


FACETS = {
    "speakers": Facet("quotes", "speaker", "organization"),
    "organizations": Facet("quotes", "organization", None),
    "sources": Facet("articles", "source_id", "source_name"),
}


def top_terms_body(filters: Filters, facet: Facet, window: Window, size: int) -> dict:
    sub_aggs: dict = {"stance": {"terms": {"field": "stance_labels", "size": 50}}}
    if facet.label_field:
        sub_aggs["label"] = {"terms": {"field": facet.label_field, "size": 1}}
    return {
        "query": bool_query(filters, INDEX_SPECS[facet.index], window),
        "size": 0,
        "aggs": {"top": {"terms": {"field": facet.field, "size": size}, "aggs": sub_aggs}},
    }
