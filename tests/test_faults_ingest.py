"""Faults in ingest that must lose nothing (issue 18): each test provokes one on loopback servers."""
from __future__ import annotations

from dataclasses import replace

import pytest
from local_server import LocalServer, Reply

from newswatch.core.model import stable_id
from newswatch.core.settings import FetchSettings, Settings
from newswatch.indexing.bulk import Spool
from newswatch.pipeline import process_batch

pytestmark = pytest.mark.fault

ARTICLE = (
    "<!DOCTYPE html><html><head><title>Label sues AI start-up over training</title></head><body><article>"
    "<h1>Label sues AI start-up over training</h1>"
    + "".join(
        f"<p>Paragraph {n}: the record label said the start-up copied thousands of recordings to train its model "
        f"without asking anyone, and that artists deserve to be paid for the use of their work.</p>"
        for n in range(8)
    )
    + "</article></body></html>"
).encode()


@pytest.fixture
def page_server():
    with LocalServer({"/news/label-sues": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE)}) as server:
        yield server


def loopback_fetch(settings: Settings) -> Settings:
    """The pipeline's fetcher may reach the test server on 127.0.0.1, with no politeness delay."""
    return replace(settings, fetch=FetchSettings(allow=("127.0.0.1",), per_host_interval=0))


def _item(server) -> dict:
    url = server.url("/news/label-sues")
    return {"url": url, "canonical_url": url, "source_id": "loopback", "source_name": "Loopback News", "title": "Label sues"}


def test_elasticsearch_down_at_process_time_spools_the_article(page_server, es_base_settings, tmp_path):
    """Case 3: the near-duplicate lookup fails; the batch goes on and its documents wait in the spool."""
    down = loopback_fetch(es_base_settings.with_es(url="http://127.0.0.1:9", request_timeout=2).with_paths(home=tmp_path / "home"))
    result = process_batch(down, [_item(page_server)], run_id="es-down")
    assert result["counts"]["extracted"] == 1
    assert result["counts"]["indexed"] == 0 and result["counts"]["spooled"] > 0
    spooled = [a for path in Spool(down.paths.spool_dir).pending() for a in Spool.read(path)]
    assert stable_id(_item(page_server)["canonical_url"]) in {a.id for a in spooled if a.index == "articles"}


def test_an_unwritable_home_costs_the_stored_page_not_the_article(page_server, es_ready, es_settings):
    """Case 9: the HTML store cannot write; the article is still indexed and the failure recorded."""
    es_settings = loopback_fetch(es_settings)
    es_settings.paths.html_store_dir.parent.mkdir(parents=True, exist_ok=True)
    es_settings.paths.html_store_dir.write_text("not a folder")  # every write under it fails, even as root
    result = process_batch(es_settings, [_item(page_server)], run_id="ro-home")
    assert result["counts"]["indexed"] == 1
    assert "store" in result["failure_stages"]


def test_items_of_a_killed_process_task_are_planned_again_after_a_304(es_ready, es_settings, tmp_path):
    """Fault (issue 18, case 3 and deliverable 2): the feed's ETag advanced at poll time, then the
    process task died; the next poll gets 304, yet the items are still planned, exactly once."""
    from ingest_cases import GOOD_FEED, RSS, TEST_POLICY, conditional

    from newswatch.feeds.catalogue import Source
    from newswatch.feeds.poller import done_actions, run_poll
    from newswatch.fetching.safe_fetch import Fetcher
    from newswatch.indexing.runtime import make_indexer
    from newswatch.pipeline import plan_items

    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text("sources:\n  - {id: good, name: Good, category: trade_press, language: en, feeds: [http://127.0.0.1/x], poll_interval_minutes: 30}\n")
    es_settings = es_settings.with_paths(sources_file=sources_file)
    with LocalServer({"/good.xml": conditional(Reply(200, RSS, GOOD_FEED), '"v1"')}) as server, Fetcher(TEST_POLICY) as fetcher:
        good = Source(id="good", name="Good", category="trade_press", language="en", feeds=(server.url("/good.xml"),), poll_interval_minutes=30)
        indexer = make_indexer(es_settings, es_ready)
        first = run_poll(es_ready, indexer, es_settings.es.index_prefix, [good], fetcher, refresh=True)
        assert len(first.items) == 2
        # The process task is killed here: nothing indexed, nothing failed. Next run: 304.
        second = run_poll(es_ready, indexer, es_settings.es.index_prefix, [good], fetcher, force=True, refresh=True)
        assert second.items == []
    planned = [item for batch in plan_items(es_settings, [{"items": []}]) for item in batch]
    assert sorted(i["canonical_url"] for i in planned) == sorted(i.canonical_url for i in first.items)
    assert {i["source_name"] for i in planned} == {"Good"}
    # Once processed (article written or failure recorded), they leave pending for good.
    indexer.index(done_actions(i["canonical_url"] for i in planned), refresh=True)
    assert plan_items(es_settings, [{"items": []}]) == []
