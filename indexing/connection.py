"""The Elasticsearch client, built from Settings (ES_URL, API key or user/password)."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from newswatch.settings import Settings


def es_client(settings: Settings) -> Elasticsearch:
    auth: dict = {}
    if settings.es_api_key:
        auth["api_key"] = settings.es_api_key
    elif settings.es_username:
        auth["basic_auth"] = (settings.es_username, settings.es_password or "")
    return Elasticsearch(
        settings.effective_es_url,
        request_timeout=settings.request_timeout,
        retry_on_timeout=True,
        max_retries=2,
        **auth,
    )
