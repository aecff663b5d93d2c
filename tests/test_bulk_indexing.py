"""Bulk upserts, per-document rejections and the disk spool, against real nodes."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from newswatch import es_node
from newswatch.core.model import Article, Quote, Span
from newswatch.core.settings import Settings
from newswatch.indexing.bulk import IndexAction, Spool
from newswatch.indexing.connection import es_client
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames, setup_indices
from newswatch.indexing.store import existing_article_ids, write_articles

pytestmark = pytest.mark.integration


def make_article(n: int) -> Article:
    text = f"Story number {n} about AI training on uploads. \"We never agreed to this,\" said Ana Ruiz."
    quote_start = text.index("\u0022")
    return Article(
        url=f"https://news.example/story-{n}?utm_source=feed",
        canonical_url=f"https://news.example/story-{n}",
        source_id="example",
        title=f"Story {n}",
        published_at=datetime(2026, 11, 20, 9, n % 60, tzinfo=timezone.utc),
        text=text,
        quotes=[Quote(position=0, kind="direct", text="We never agreed to this,",
                      contents=[Span(start=quote_start, end=quote_start + 26, text=text[quote_start:quote_start + 26])],
                      speaker="Ana Ruiz", speaker_type="person")],
    )


def count(client, prefix: str, name: str) -> int:
    alias = IndexNames(prefix).alias(name)
    client.indices.refresh(index=alias)
    return client.count(index=alias)["count"]


def test_indexing_the_same_documents_twice_leaves_one_copy_each(es_ready, es_settings):
    indexer = make_indexer(es_settings, es_ready)
    articles = [make_article(n) for n in range(5)]
    first = write_articles(indexer, articles, refresh=True)
    second = write_articles(indexer, articles, refresh=True)
    assert first.indexed == second.indexed == 10
    assert count(es_ready, es_settings.es.index_prefix, "articles") == 5
    assert count(es_ready, es_settings.es.index_prefix, "quotes") == 5
    assert existing_article_ids(es_ready, es_settings.es.index_prefix, [articles[0].id, "missing"]) == {articles[0].id}


def test_rewriting_an_article_with_fewer_quotes_removes_the_stale_ones(es_ready, es_settings):
    indexer = make_indexer(es_settings, es_ready)
    article = make_article(1)
    extra = article.quotes[0].model_copy(update={"position": 1, "text": "A second remark."})
    write_articles(indexer, [article.model_copy(update={"quotes": [*article.quotes, extra]})], refresh=True)
    assert count(es_ready, es_settings.es.index_prefix, "quotes") == 2
    write_articles(indexer, [article], refresh=True)
    assert count(es_ready, es_settings.es.index_prefix, "quotes") == 1


def test_a_rejected_document_lands_in_failures_and_the_rest_is_indexed(es_ready, es_settings):
    indexer = make_indexer(es_settings, es_ready, run_id="run-1")
    good = [IndexAction("articles", f"good-{n}", {"url": f"https://a/{n}", "title": "ok"}) for n in range(3)]
    bad = IndexAction("articles", "bad-1", {"url": "https://a/bad", "published_at": "not a date"})
    report = indexer.index([good[0], bad, *good[1:]], refresh=True)

    assert report.indexed == 3 + 1  # three articles plus the failure record
    assert [f.item_id for f in report.rejected] == ["bad-1"]
    assert count(es_ready, es_settings.es.index_prefix, "articles") == 3
    failures = es_ready.search(index=IndexNames(es_settings.es.index_prefix).alias("failures"))["hits"]["hits"]
    assert len(failures) == 1
    failure = failures[0]["_source"]
    assert failure["stage"] == "index:articles"
    assert failure["error_type"] == "document_parsing_exception"
    assert "published_at" in failure["error"]
    assert failure["run_id"] == "run-1"
    with open(failure["payload_ref"]) as payload:
        assert "not a date" in payload.read()


def test_cluster_stopped_mid_run_spools_and_a_later_run_indexes_everything(es_base_settings, tmp_path):
    """Uses a second node of its own, since it is stopped and restarted."""
    port = 9275
    # Under the repo's var/ (not pytest's private tmp) so the unprivileged node user can reach it.
    node_home = Settings.from_env().paths.home / "test-es-spool"
    settings = es_base_settings.with_es(url=None, port=port, index_prefix="spooltest").with_paths(home=tmp_path / "home")
    shutil.rmtree(es_node.layout_for(settings, home=node_home).home, ignore_errors=True)
    es_node.start(settings, home=node_home)
    try:
        client = es_client(settings.with_es(url=f"http://127.0.0.1:{port}", request_timeout=5).es)
        setup_indices(client, settings.es.index_prefix)
        indexer = make_indexer(settings, client)
        assert write_articles(indexer, [make_article(1)], refresh=True).indexed == 2

        es_node.stop(settings, home=node_home)
        during_outage = write_articles(indexer, [make_article(n) for n in range(2, 6)])
        assert during_outage.cluster_error is not None
        assert during_outage.spooled == 8
        assert Spool(settings.paths.spool_dir).pending_count() == 8

        es_node.start(settings, home=node_home)
        after = write_articles(indexer, [make_article(6)], refresh=True)
        assert after.cluster_error is None
        assert after.replayed == 8
        assert Spool(settings.paths.spool_dir).pending() == []
        assert count(client, settings.es.index_prefix, "articles") == 6
        assert count(client, settings.es.index_prefix, "quotes") == 6
    finally:
        es_node.stop(settings, home=node_home)


@pytest.mark.fault
def test_two_workers_replaying_one_spool_send_each_document_once(es_ready, es_settings):
    """Fault (issue 18, case 7): workers sharing NEWSWATCH_HOME replay one spool at the same time."""
    import threading

    from newswatch.indexing.documents import article_document

    spool = Spool(es_settings.paths.spool_dir)
    for n in range(40):
        article = make_article(100 + n)
        spool.write([IndexAction("articles", article.id, article_document(article))])
    workers = [make_indexer(es_settings, es_ready) for _ in range(2)]
    reports, errors = [], []

    def replay(indexer):
        try:
            reports.append(indexer.replay_spool())
        except Exception as exc:  # noqa: BLE001 - the test reports what a worker raised
            errors.append(exc)

    threads = [threading.Thread(target=replay, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.replayed for r in reports) == 40
    assert spool.pending() == [] and list(es_settings.paths.spool_dir.iterdir()) == []
    assert count(es_ready, es_settings.es.index_prefix, "articles") == 40
