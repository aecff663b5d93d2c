"""Wiring of the edges (client, indexer, spool) from Settings, shared by CLI and DAGs."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from indexing.bulk import Indexer, Spool
from indexing.connection import es_client
from newswatch.settings import Settings


def make_indexer(settings: Settings, client: Elasticsearch | None = None, run_id: str | None = None) -> Indexer:
    return Indexer(
        client or es_client(settings),
        settings.index_prefix,
        Spool(settings.spool_dir),
        quarantine_dir=settings.home / "quarantine",
        run_id=run_id,
    )
