"""Faults in ingest that must lose nothing (issue 18): each test provokes one on loopback servers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from indexing.bulk import Spool
from local_server import LocalServer, Reply
from newswatch.model import stable_id
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


@pytest.fixture
def fetch_loopback(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_FETCH_ALLOW", "127.0.0.1")
    monkeypatch.setenv("NEWSWATCH_PER_HOST_INTERVAL", "0")


def _item(server) -> dict:
    url = server.url("/news/label-sues")
    return {"url": url, "canonical_url": url, "source_id": "loopback", "source_name": "Loopback News", "title": "Label sues"}


def test_elasticsearch_down_at_process_time_spools_the_article(page_server, fetch_loopback, es_base_settings, tmp_path):
    """Case 3: the near-duplicate lookup fails; the batch goes on and its documents wait in the spool."""
    down = replace(es_base_settings, es_url="http://127.0.0.1:9", home=tmp_path / "home", request_timeout=2)
    result = process_batch(down, [_item(page_server)], run_id="es-down")
    assert result["counts"]["extracted"] == 1
    assert result["counts"]["indexed"] == 0 and result["counts"]["spooled"] > 0
    spooled = [a for path in Spool(down.spool_dir).pending() for a in Spool.read(path)]
    assert stable_id(_item(page_server)["canonical_url"]) in {a.id for a in spooled if a.index == "articles"}


def test_an_unwritable_home_costs_the_stored_page_not_the_article(page_server, fetch_loopback, es_ready, es_settings):
    """Case 9: the HTML store cannot write; the article is still indexed and the failure recorded."""
    es_settings.html_store_dir.parent.mkdir(parents=True, exist_ok=True)
    es_settings.html_store_dir.write_text("not a folder")  # every write under it fails, even as root
    result = process_batch(es_settings, [_item(page_server)], run_id="ro-home")
    assert result["counts"]["indexed"] == 1
    assert "store" in result["failure_stages"]
