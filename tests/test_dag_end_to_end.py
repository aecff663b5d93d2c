"""End to end: the real newswatch_ingest DAG (dag.test) over the demo corpus on a local
HTTP server, into the real Elasticsearch node. A second run adds nothing."""
from __future__ import annotations

import json

import pytest

from newswatch.core.model import stable_id
from newswatch.core.settings import REPO_ROOT
from newswatch.fetching.urls import canonicalize_url
from newswatch.indexing.schema import IndexNames
from newswatch_lab import demo_corpus
from newswatch_lab.demo_server import DemoServer

pytestmark = pytest.mark.integration

EXPECTED = json.loads((REPO_ROOT / "demo" / "expected.json").read_text())


def _count(es, alias: str) -> int:
    es.indices.refresh(index=alias)
    return es.count(index=alias)["count"]


@pytest.fixture
def ingest_env(es, es_settings, airflow_db, monkeypatch, tmp_path):
    with DemoServer() as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(demo_corpus.sources_yaml(server.base_url))
        for name, value in {
            "ES_URL": es_settings.es.effective_url,
            "NEWSWATCH_INDEX_PREFIX": es_settings.es.index_prefix,
            "NEWSWATCH_HOME": str(es_settings.paths.home),
            "NEWSWATCH_SOURCES_FILE": str(sources),
            "NEWSWATCH_FETCH_ALLOW": "127.0.0.1",
            "NEWSWATCH_PER_HOST_INTERVAL": "0",
        }.items():
            monkeypatch.setenv(name, value)
        yield server


def _ingest_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "newswatch_ingest.py"))
    return bag.get_dag("newswatch_ingest")


def test_ingest_dag_indexes_the_demo_corpus_once(ingest_env, es, es_settings):
    server = ingest_env
    names = IndexNames(es_settings.es.index_prefix)
    dag = _ingest_dag()

    first = dag.test()
    assert first.state == "success"

    articles_alias, quotes_alias = names.alias("articles"), names.alias("quotes")
    broken = {page["path"] for page in EXPECTED["broken_pages"]}
    reachable = {link for feed in EXPECTED["feeds"] if not feed.get("malformed") for link in feed["entry_links"]}
    reachable |= {link for page in EXPECTED["listing_pages"] for link in page["article_links"]}
    reachable |= {link for sitemap in EXPECTED["news_sitemaps"] for link in sitemap["entry_links"]}  # discovered via robots.txt
    expected_ids = {stable_id(canonicalize_url(server.url(path))): path for path in reachable - broken}
    found = es.mget(index=articles_alias, ids=sorted(expected_ids), source=False)["docs"]
    assert [expected_ids[d["_id"]] for d in found if not d["found"]] == []
    indexed = _count(es, articles_alias)
    assert indexed >= len(expected_ids)

    relevant_id = stable_id(server.url(EXPECTED["relevant"][0]))
    doc = es.get(index=articles_alias, id=relevant_id)["_source"]
    assert doc["summary"] and doc["is_relevant"] is True
    assert doc["quote_count"] > 0
    # ES 9 leaves vectors out of _source by default; a kNN query proves the vector is stored.
    knn = es.search(index=articles_alias, knn={"field": "embedding", "query_vector": [0.05] * 384, "k": 50, "num_candidates": 100},
                    size=50, source=False)
    assert relevant_id in {hit["_id"] for hit in knn["hits"]["hits"]}

    for path in EXPECTED["off_topic"]:
        off = es.get(index=articles_alias, id=stable_id(server.url(path)))["_source"]
        assert off["is_relevant"] is False, path

    story = EXPECTED["syndicated_stories"][0]
    clusters = {es.get(index=articles_alias, id=stable_id(canonicalize_url(server.url(p))))["_source"]["cluster_id"]
                for p in story["paths"]}
    assert len(clusters) == 1

    # Aggregations see every quote (a page of hits would see only some of the 200+), once the
    # last bulk of quotes is searchable: the pipeline indexes without waiting for a refresh.
    es.indices.refresh(index=quotes_alias)
    speaker_buckets = es.search(index=quotes_alias, size=0, aggs={"s": {"terms": {"field": "speaker", "size": 1000}}})
    speakers = {b["key"] for b in speaker_buckets["aggregations"]["s"]["buckets"]}
    expected_speakers = {q["speaker"] for q in EXPECTED["quotes"]}
    assert len(speakers & expected_speakers) >= 0.8 * len(expected_speakers)
    assert es.count(index=quotes_alias, query={"exists": {"field": "stance_labels"}})["count"] > 0

    # Failures are written as they happen, without a refresh: make the latest searchable.
    es.indices.refresh(index=names.alias("failures"))
    failures = [h["_source"] for h in es.search(index=names.alias("failures"), size=100)["hits"]["hits"]]
    failed_urls = " ".join(f.get("url") or "" for f in failures)
    assert EXPECTED["broken_pages"][0]["path"] in failed_urls
    malformed = [f["path"] for f in EXPECTED["feeds"] if f.get("malformed")]
    assert all(path in failed_urls for path in malformed)

    report = es.search(index=names.alias("runs"), size=1)["hits"]["hits"][0]["_source"]
    assert report["counts"]["indexed"] == indexed

    quote_count = _count(es, quotes_alias)
    second = dag.test()
    assert second.state == "success"
    assert _count(es, articles_alias) == indexed
    assert _count(es, quotes_alias) == quote_count

    # Re-extraction from the stored HTML replaces documents in place: same counts, nothing duplicated.
    from airflow.dag_processing.dagbag import DagBag

    reprocess = DagBag(dag_folder=str(REPO_ROOT / "dags" / "newswatch_reprocess.py")).get_dag("newswatch_reprocess")
    run = reprocess.test(run_conf={"start": "2026-09-01", "end": "2026-12-31", "mode": "extract", "source_ids": []})
    assert run.state == "success"
    assert _count(es, articles_alias) == indexed
    assert _count(es, quotes_alias) == quote_count
    assert es.get(index=articles_alias, id=relevant_id)["_source"]["summary"]
