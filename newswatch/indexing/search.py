"""Read side used by the demo: the top stories and the failures of a run."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from newswatch.indexing.schema import IndexNames


def top_stories(client: Elasticsearch, prefix: str, size: int = 10) -> list[dict]:
    """Most relevant stories, one per cluster (syndicated copies merged), with their key quotes."""
    names = IndexNames(prefix)
    response = client.search(
        index=names.alias("articles"),
        query={"bool": {"filter": [{"term": {"is_relevant": True}}]}},
        collapse={"field": "cluster_id"},
        sort=[{"relevance": "desc"}, {"@timestamp": "desc"}],
        size=size,
        source_includes=["title", "summary", "stance", "relevance", "cluster_id", "source_name", "canonical_url"],
        aggs={"clusters": {"terms": {"field": "cluster_id", "size": 1000},
                           "aggs": {"sources": {"terms": {"field": "source_name", "size": 20}}}}},
    )
    sources_by_cluster = {
        bucket["key"]: [b["key"] for b in bucket["sources"]["buckets"]]
        for bucket in response["aggregations"]["clusters"]["buckets"]
    }
    stories = []
    for hit in response["hits"]["hits"]:
        doc = hit["_source"]
        quotes = client.search(
            index=names.alias("quotes"),
            query={"bool": {"filter": [{"term": {"article_id": hit["_id"]}}, {"exists": {"field": "speaker"}}]}},
            sort=[{"relevance": {"order": "desc", "missing": "_last"}}, {"position": "asc"}],
            size=2,
            source_includes=["text", "speaker", "stance_labels"],
        )["hits"]["hits"]
        stories.append({
            **doc,
            "sources": sources_by_cluster.get(doc.get("cluster_id"), [doc.get("source_name")]),
            "relevance": doc.get("relevance") or 0.0,
            "quotes": [q["_source"] for q in quotes],
        })
    return stories


def failure_summary(client: Elasticsearch, prefix: str) -> str:
    response = client.search(
        index=IndexNames(prefix).alias("failures"), size=0,
        aggs={"stages": {"terms": {"field": "stage", "size": 20}}},
    )
    buckets = response["aggregations"]["stages"]["buckets"]
    if not buckets:
        return "No failures recorded."
    parts = ", ".join(f"{b['key']}: {b['doc_count']}" for b in buckets)
    return f"Failures recorded in {IndexNames(prefix).alias('failures')} (by stage): {parts}"


def earliest_publication(client: Elasticsearch, prefix: str) -> str | None:
    """The day (YYYY-MM-DD) of the oldest indexed article, or None for an empty index."""
    response = client.search(index=IndexNames(prefix).alias("articles"), size=0,
                             aggs={"first": {"min": {"field": "@timestamp", "format": "yyyy-MM-dd"}}})
    return response["aggregations"]["first"].get("value_as_string")
