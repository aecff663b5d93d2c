"""Read side used by the CLI and the demo: a simple, error-proof full-text search."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from indexing.schema import IndexNames


def search_articles(client: Elasticsearch, prefix: str, text: str, size: int = 10) -> list[dict]:
    # simple_query_string never raises on user syntax, unlike query_string.
    response = client.search(
        index=IndexNames(prefix).alias("articles"),
        query={"simple_query_string": {"query": text, "fields": ["title^3", "summary^2", "text"], "default_operator": "and"}},
        size=size,
        source_excludes=["text", "embedding"],
    )
    return [dict(hit["_source"], _score=hit["_score"], _id=hit["_id"]) for hit in response["hits"]["hits"]]
