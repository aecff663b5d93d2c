"""Wiring of the edges (client, indexer, spool) from Settings, shared by CLI and DAGs."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from newswatch.core.settings import Settings
from newswatch.indexing.bulk import Indexer, Spool
from newswatch.indexing.connection import es_client


def make_indexer(settings: Settings, client: Elasticsearch | None = None, run_id: str | None = None) -> Indexer:
    return Indexer(
        client or es_client(settings.es),
        settings.es.index_prefix,
        Spool(settings.paths.spool_dir),
        quarantine_dir=settings.paths.home / "quarantine",
        run_id=run_id,
    )
