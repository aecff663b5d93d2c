"""Client failover and degraded runs (issue 19, point 3), against the real node.

A "dead node" is a loopback port nothing listens on: the connection is refused at once, as when a
cluster member is down. The live node is the test suite's node.
"""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from local_server import LocalServer, Reply
from test_faults_ingest import ARTICLE, loopback_fetch

from newswatch.core.model import stable_id, utcnow
from newswatch.core.settings import Settings, SettingsError
from newswatch.indexing.bulk import Spool
from newswatch.indexing.connection import es_client
from newswatch.indexing.schema import IndexNames, setup_indices
from newswatch.pipeline import (
    DEGRADED,
    RunDegraded,
    fail_if_degraded,
    process_batch,
    write_run_report,
)

pytestmark = pytest.mark.integration

DEAD_NODES = ("http://127.0.0.1:9", "http://127.0.0.1:19", "http://127.0.0.1:29")


@pytest.fixture
def page_server():
    with LocalServer({"/news/label-sues": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE)}) as server:
        yield server


def _item(server) -> dict:
    url = server.url("/news/label-sues")
    return {"url": url, "canonical_url": url, "source_id": "loopback", "source_name": "Loopback News", "title": "Label sues"}


def _with_nodes(settings: Settings, *urls: str) -> Settings:
    return loopback_fetch(settings.with_es(url=",".join(urls), request_timeout=5))


@pytest.mark.parametrize("dead", [DEAD_NODES[:1], DEAD_NODES], ids=["one dead node", "three dead nodes"])
def test_dead_entry_nodes_are_skipped_and_the_pipeline_indexes_without_spooling(page_server, es, es_settings, dead):
    settings = _with_nodes(es_settings, *dead, es_settings.es.effective_url)
    assert setup_indices(es_client(settings.es), settings.es.index_prefix).changed
    result = process_batch(settings, [_item(page_server)], run_id="failover")
    assert result["counts"]["indexed"] == 1 and result["counts"]["spooled"] == 0
    assert Spool(settings.paths.spool_dir).pending() == []
    article_id = stable_id(_item(page_server)["canonical_url"])
    assert es.get(index=IndexNames(settings.es.index_prefix).alias("articles"), id=article_id)["found"]
    report = write_run_report(settings, "newswatch_ingest", "failover", None, [], [result])
    assert report["status"] == "ok" and fail_if_degraded(report) is report


def test_a_run_that_reached_no_node_is_degraded_and_fails(page_server, es_base_settings, tmp_path):
    settings = _with_nodes(es_base_settings.with_paths(home=tmp_path / "home"), *DEAD_NODES)
    result = process_batch(settings, [_item(page_server)], run_id="all-down")
    assert result["counts"]["indexed"] == 0 and result["counts"]["spooled"] > 0

    report = write_run_report(settings, "newswatch_ingest", "all-down", utcnow() - timedelta(seconds=5), [], [result])
    assert report["status"] == DEGRADED
    with pytest.raises(RunDegraded, match="nothing reached Elasticsearch"):
        fail_if_degraded(report)
    # The report itself waits in the spool with the rest: the next run that reaches the cluster files it.
    spooled = [a for path in Spool(settings.paths.spool_dir).pending() for a in Spool.read(path)]
    assert any(a.index == "runs" and a.document["status"] == DEGRADED for a in spooled)


def test_a_run_whose_batches_all_spooled_is_recorded_degraded_in_the_runs_index(es_ready, es_settings):
    """The cluster came back in time for the report: the runs index says what happened to the batches."""
    spooled_batch = {"counts": {"new_items": 3, "extracted": 3, "indexed": 0, "spooled": 9}}
    report = write_run_report(es_settings, "newswatch_ingest", "came-back", None, [], [spooled_batch])
    stored = es_ready.get(index=IndexNames(es_settings.es.index_prefix).alias("runs"), id=stable_id("newswatch_ingest", "came-back"))
    assert report["status"] == stored["_source"]["status"] == DEGRADED
    partly = write_run_report(es_settings, "newswatch_ingest", "partly", None, [], [{"counts": {"indexed": 2, "spooled": 1}}])
    assert partly["status"] == "ok"


def test_the_ingest_dags_last_task_fails_without_retry_on_a_degraded_run(monkeypatch, es_base_settings, tmp_path):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.exceptions import AirflowFailException

    from newswatch.core.settings import REPO_ROOT

    dag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "newswatch_ingest.py")).get_dag("newswatch_ingest")
    report_task = dag.get_task("report")
    for name, value in {"ES_URL": ",".join(DEAD_NODES), "NEWSWATCH_ES_TIMEOUT": "2", "NEWSWATCH_HOME": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    context = {"run_id": "dead-cluster", "dag_run": type("DagRun", (), {"start_date": utcnow()})()}
    monkeypatch.setitem(report_task.python_callable.__globals__, "get_current_context", lambda: context)
    spooled_batch = {"counts": {"new_items": 1, "indexed": 0, "spooled": 2}}
    with pytest.raises(AirflowFailException, match="nothing reached Elasticsearch"):
        report_task.python_callable([], [spooled_batch])


def test_es_url_takes_several_nodes_and_a_cloud_id():
    several = Settings.from_env({"ES_URL": "http://es1:9200, https://user:secret@es2:9201", "ES_USERNAME": "u", "ES_PASSWORD": "p"})
    assert several.es.node_urls == ("http://es1:9200", "https://user:secret@es2:9201") and not several.es.managed
    client = es_client(several.es)
    assert {(n.config.host, n.config.port) for n in client.transport.node_pool.all()} == {("es1", 9200), ("es2", 9201)}

    cloud_id = "newswatch-prod:" + base64.b64encode(b"eu-west-1.example.org:443$es0123$kb4567").decode()
    cloud = Settings.from_env({"ES_CLOUD_ID": cloud_id, "ES_API_KEY": "a2V5"})
    assert not cloud.es.managed and "newswatch-prod" in cloud.es.location
    nodes = es_client(cloud.es).transport.node_pool.all()
    assert [(n.config.scheme, n.config.host, n.config.port) for n in nodes] == [("https", "es0123.eu-west-1.example.org", 443)]


@pytest.mark.parametrize("environ, message", [
    ({"ES_URL": "http://es1:9200,es2:9200"}, "ES_URL must be http\\(s\\) URLs with a port"),
    ({"ES_URL": "http://user:secret@es1"}, "got 'http://\\*\\*\\*@es1'"),
    ({"ES_URL": "http://es1:9200", "ES_CLOUD_ID": "x:eHl6"}, "ES_URL or ES_CLOUD_ID, not both"),
])
def test_a_bad_es_url_names_the_variable_without_its_password(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)



def test_es_status_shows_each_node(monkeypatch, capsys, es_base_settings):
    from newswatch import cli

    monkeypatch.setenv("ES_URL", f"http://127.0.0.1:9,{es_base_settings.es.effective_url}")
    assert cli.main(["es", "status"]) == 0
    dead, live = json.loads(capsys.readouterr().out)
    assert dead == {"url": "http://127.0.0.1:9", "health": None}
    assert live["health"]["status"] in ("green", "yellow")
