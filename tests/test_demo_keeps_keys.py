"""Re-running the demo empties its indices but keeps the API keys made for them (real Elasticsearch)."""
from __future__ import annotations

import pytest

from newswatch.indexing.schema import IndexNames, drop_prefix, setup_indices
from newswatch.query_api.keys import ApiKeyStore, KeyVerifier
from newswatch_lab.demo import DEMO_KEEPS

pytestmark = pytest.mark.integration


def test_dropping_a_prefix_keeps_the_api_keys_when_asked(es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    issued = ApiKeyStore(es_ready, prefix).create("advocacy")
    es_ready.index(index=IndexNames(prefix).alias("failures"), document={"stage": "fetch"}, refresh=True)

    drop_prefix(es_ready, prefix, keep=DEMO_KEEPS)
    setup_indices(es_ready, prefix)  # what the demo's DAG run does next

    assert KeyVerifier(ApiKeyStore(es_ready, prefix), 0.0).verify(issued.key) is not None
    assert es_ready.count(index=IndexNames(prefix).alias("failures"))["count"] == 0

    drop_prefix(es_ready, prefix)
    setup_indices(es_ready, prefix)
    assert KeyVerifier(ApiKeyStore(es_ready, prefix), 0.0).verify(issued.key) is None
