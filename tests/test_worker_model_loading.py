"""Models load once per worker process, not once per task (issue 19, point 6).

Airflow runs each task in a child forked from its worker process. These tests count every model
load (transformers weights, spaCy pipelines): a worker process that preloaded them, then runs
several ``process`` tasks itself or forks them as Airflow does, loads nothing more.
"""
from __future__ import annotations

import multiprocessing

import pytest
import spacy
import transformers
from local_server import LocalServer, Reply
from test_faults_ingest import ARTICLE, loopback_fetch

from newswatch import pipeline
from newswatch.enrichment import enrich, entities, model_service, stance
from newswatch.quotes import nlp

pytestmark = pytest.mark.integration


@pytest.fixture
def load_log(monkeypatch) -> list[str]:
    """Every model load from now on, by what was loaded; the process's model caches start empty."""
    for cached in (nlp.get_nlp, enrich.get_enricher, model_service.get_encoder, model_service.get_reference_encoder,
                   stance.get_stance_classifier, entities._load_pipeline):
        cached.cache_clear()
    loads: list[str] = []
    load_weights, load_pipeline = transformers.AutoModel.from_pretrained, spacy.load

    def counted_weights(path, *args, **kwargs):
        model = load_weights(path, *args, **kwargs)
        loads.append(f"transformers:{path}")
        return model

    def counted_pipeline(name, *args, **kwargs):
        loaded = load_pipeline(name, *args, **kwargs)  # a name that is not installed raises: not a load
        loads.append(f"spacy:{name}")
        return loaded

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", counted_weights)
    monkeypatch.setattr(spacy, "load", counted_pipeline)
    return loads


@pytest.fixture
def page_server():
    routes = {f"/news/{n}": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.replace(b"Paragraph", f"Part {n}".encode()))
              for n in range(4)}
    with LocalServer(routes) as server:
        yield server


def _task(server, number: int) -> list[dict]:
    url = server.url(f"/news/{number}")
    return [{"url": url, "canonical_url": url, "source_id": "loopback", "source_name": "Loopback News", "title": "Label sues"}]


def _forked_task(settings, batch, loads: list[str], results) -> None:
    loads.clear()  # the parent's loads came along with the fork: count this task's own
    result = pipeline.process_batch(settings, batch, run_id="forked")
    results.put((result["counts"]["enriched"], list(loads)))


def test_a_worker_loads_each_model_once_for_all_its_tasks(load_log, page_server, es_ready, es_settings):
    settings = loopback_fetch(es_settings)
    pipeline.preload_models(settings)
    preloaded = list(load_log)
    weights = [load for load in preloaded if load.startswith("transformers:")]
    assert weights and len(weights) == len(set(weights)), preloaded  # each model once
    assert any(load.startswith("spacy:") for load in preloaded)

    for number in (0, 1):  # tasks run in the worker process itself
        assert pipeline.process_batch(settings, _task(page_server, number), run_id="in-process")["counts"]["enriched"] == 1
    assert load_log == preloaded

    context = multiprocessing.get_context("fork")  # tasks forked from the worker, as Airflow runs them
    results = context.Queue()
    for number in (2, 3):
        child = context.Process(target=_forked_task, args=(settings, _task(page_server, number), load_log, results))
        child.start()
        enriched, child_loads = results.get(timeout=300)
        child.join(timeout=30)
        assert enriched == 1 and child_loads == []


def test_without_a_preload_the_first_task_loads_and_the_next_reuse(load_log, page_server, es_ready, es_settings):
    settings = loopback_fetch(es_settings)
    pipeline.process_batch(settings, _task(page_server, 0), run_id="first")
    first = list(load_log)
    assert first
    pipeline.process_batch(settings, _task(page_server, 1), run_id="second")
    assert load_log == first


def test_the_celery_configuration_preloads_in_every_pool_process(monkeypatch):
    pytest.importorskip("celery")
    pytest.importorskip("airflow.providers.celery")
    from celery.signals import worker_process_init

    from newswatch import celery_worker

    preloaded = []
    monkeypatch.setattr(pipeline, "preload_models", lambda settings: preloaded.append(settings) or 0.0)
    worker_process_init.send(sender=None)
    assert len(preloaded) == 1
    assert "broker_url" in celery_worker.CELERY_CONFIG  # Airflow's own configuration, extended

    def broken(settings):
        raise RuntimeError("no stance model")

    monkeypatch.setattr(pipeline, "preload_models", broken)
    worker_process_init.send(sender=None)  # logged, not raised: the pool process still starts
