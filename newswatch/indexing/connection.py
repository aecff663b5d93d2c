"""The Elasticsearch client, built from the Elasticsearch settings (ES_URL, API key or user/password)."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from newswatch.core.settings import ElasticsearchSettings


def es_client(es: ElasticsearchSettings) -> Elasticsearch:
    auth: dict = {}
    if es.api_key:
        auth["api_key"] = es.api_key
    elif es.username:
        auth["basic_auth"] = (es.username, es.password or "")
    return Elasticsearch(
        es.effective_url,
        request_timeout=es.request_timeout,
        retry_on_timeout=True,
        max_retries=2,
        **auth,
    )
