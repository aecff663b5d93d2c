"""Analysts' corrections against the real Elasticsearch: shown everywhere, logged, kept through reprocessing, exported."""
from __future__ import annotations

import json
import uuid

import pytest
from test_api_fixtures import FakeEncoder, corpus, make_config

from newswatch import cli
from newswatch.indexing.connection import es_client
from newswatch.indexing.corrections import CorrectionError, apply_correction, correct_stance, training_records
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames, setup_indices
from newswatch.indexing.store import write_articles
from newswatch.query_api.app import create_app
from newswatch.query_api.keys import ApiKeyStore
from newswatch_lab.api_bench import drop_prefix

pytestmark = pytest.mark.integration


@pytest.fixture
def world(es_base_settings, monkeypatch):
    settings = es_base_settings.with_es(index_prefix=f"nwt-fix-{uuid.uuid4().hex[:8]}")
    client = es_client(settings.es)
    setup_indices(client, settings.es.index_prefix)
    articles = corpus()
    write_articles(make_indexer(settings, client), articles, refresh=True)
    monkeypatch.setenv("ES_URL", settings.es.url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", settings.es.index_prefix)
    yield settings, client, articles
    drop_prefix(client, settings.es.index_prefix)
    client.close()


def quote_id_of(articles, slug: str, position: int = 0) -> str:
    article = next(a for a in articles if a.content_hash == slug)
    return article.quotes[position].document_id(article.id)


def stored(client, settings, index: str, doc_id: str) -> dict:
    return client.get(index=IndexNames(settings.es.index_prefix).alias(index), id=doc_id)["_source"]


def test_a_stance_correction_is_logged_shown_by_search_and_kept_through_reprocessing(world, capsys):
    settings, client, articles = world
    quote_id = quote_id_of(articles, "artists-sue", 1)  # "We will defend the case." judged consent:favor
    assert cli.main(["correct", "stance", quote_id, "--target", "consent", "--label", "against",
                     "--editor", "ana", "--reason", "a defendant's reply"]) == 0
    assert "ana" in capsys.readouterr().out

    doc = stored(client, settings, "quotes", quote_id)
    assert doc["stance_labels"] == ["consent:against"] and doc["stance"][0]["corrected_by"] == "ana"
    assert cli.main(["search", "--quotes", "--target", "consent", "--label", "against", "--speaker", "daniel okafor",
                     "--since", "2025-01-01", "--until", "2025-12-31", "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [f["quote"]["text"] for f in found] == ["We will defend the case."]

    # Reprocessing writes the model's output again: the correction is applied again before it lands.
    write_articles(make_indexer(settings, client), articles, refresh=True)
    assert stored(client, settings, "quotes", quote_id)["stance_labels"] == ["consent:against"]

    assert cli.main(["corrections", "list"]) == 0
    log = capsys.readouterr().out
    assert "ana" in log and f"quote {quote_id}" in log and "consent: favor -> against" in log


def test_a_speaker_correction_reaches_the_quote_and_its_article_and_is_exported(world, capsys, tmp_path):
    settings, client, articles = world
    quote_id = quote_id_of(articles, "delay")
    article_id = next(a.id for a in articles if a.content_hash == "delay")
    assert cli.main(["correct", "speaker", quote_id, "--speaker", "Tom Baker", "--org", "Culture Ministry", "--editor", "ana"]) == 0
    assert cli.main(["correct", "stance", article_id, "--target", "litigation", "--label", "not_addressed", "--editor", "bo"]) == 0

    quote = stored(client, settings, "quotes", quote_id)
    assert (quote["speaker"], quote["organization"], quote["speaker_corrected_by"]) == ("Tom Baker", "Culture Ministry", "ana")
    article = stored(client, settings, "articles", article_id)
    assert article["speakers"] == ["Tom Baker"] and article["stance_labels"] == []

    write_articles(make_indexer(settings, client), articles, refresh=True)
    assert stored(client, settings, "articles", article_id)["speakers"] == ["Tom Baker"]

    out = tmp_path / "corrections.jsonl"
    assert cli.main(["corrections", "export", "--out", str(out)]) == 0
    records = {r["task"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["speaker"]["speaker"] == "Tom Baker" and records["speaker"]["model_speaker"] == "Tom Becker"
    assert records["speaker"]["text"] == "We are listening to all sides."
    assert (records["stance"]["label"], records["stance"]["model_label"]) == ("not_addressed", "neutral")


def test_the_api_lets_only_editor_keys_correct(world):
    from fastapi.testclient import TestClient

    settings, client, articles = world
    store = ApiKeyStore(client, settings.es.index_prefix)
    app = create_app(settings, make_config(), encoder=FakeEncoder(), client=client)
    reader = TestClient(app, headers={"X-API-Key": store.create("advocacy").key})
    editor = TestClient(app, headers={"X-API-Key": store.create("desk", editor=True).key})
    quote_id = quote_id_of(articles, "fair-use")
    body = {"id": quote_id, "target": "consent", "label": "against", "reason": "fair use argues against consent"}

    assert reader.post("/v1/corrections/stance", json=body).status_code == 403
    response = editor.post("/v1/corrections/stance", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["editor"].startswith("desk (key ") and response.json()["model_label"] == "favor"
    quotes = reader.get("/v1/quotes", params={"target": "consent", "label": "against", "from": "2025-01-01", "to": "2025-12-31"}).json()
    assert quote_id in {q["id"] for q in quotes["items"]}

    assert editor.post("/v1/corrections/stance", json={**body, "id": "nope"}).status_code == 404
    unknown = editor.post("/v1/corrections/stance", json={**body, "target": "copyright"})
    assert unknown.status_code == 422 and "known targets: consent" in unknown.text
    renamed = editor.post("/v1/corrections/speaker", json={"id": quote_id, "speaker": "Dan Okafor"})
    assert renamed.status_code == 200 and stored(client, settings, "quotes", quote_id)["speaker"] == "Dan Okafor"


def test_correction_rules_on_plain_documents():
    doc = {"stance": [{"target_id": "consent", "label": "favor", "confidence": 0.9}], "stance_labels": ["consent:favor"]}
    flipped = apply_correction(doc, {"kind": "stance", "target_id": "consent", "label": "against", "editor": "ana"})
    assert flipped["stance_labels"] == ["consent:against"] and doc["stance_labels"] == ["consent:favor"]
    added = apply_correction(doc, {"kind": "stance", "target_id": "litigation", "label": "neutral", "editor": "ana"})
    assert added["stance_labels"] == ["consent:favor", "litigation:neutral"]
    later_wins = training_records([
        {"kind": "stance", "doc_id": "q", "index": "quotes", "target_id": "consent", "label": "favor", "editor": "a", "@timestamp": "1"},
        {"kind": "stance", "doc_id": "q", "index": "quotes", "target_id": "consent", "label": "against", "editor": "b", "@timestamp": "2"},
    ])
    assert [(r["label"], r["editor"]) for r in later_wins] == [("against", "b")]


def test_bad_corrections_are_refused_with_the_reason(world):
    settings, client, articles = world
    quote_id = quote_id_of(articles, "fair-use")
    with pytest.raises(CorrectionError, match="known targets"):
        correct_stance(client, settings.es.index_prefix, quote_id, "copyright", "favor", "ana", ("consent",))
    with pytest.raises(CorrectionError, match="editor"):
        correct_stance(client, settings.es.index_prefix, quote_id, "consent", "favor", " ", ("consent",))
