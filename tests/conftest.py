"""Shared fixtures: a real Elasticsearch node, isolated index prefixes, shared datasets.

The node is started once per test session (unless ES_URL points at a cluster)
on its own port and data folder, and stopped at the end. Each test that needs
indices gets a fresh random prefix, so tests never see each other's documents.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from newswatch.core.settings import REPO_ROOT, Settings

# Airflow reads its configuration at import time: point it at the repo's airflow.cfg and a test DB first.
os.environ.setdefault("AIRFLOW_HOME", str(REPO_ROOT))
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{REPO_ROOT}/var/test-airflow/airflow.db")
os.environ.setdefault("AIRFLOW__LOGGING__BASE_LOG_FOLDER", f"{REPO_ROOT}/var/test-airflow/logs")

from newswatch import es_node
from newswatch.indexing.connection import es_client
from newswatch.indexing.schema import drop_prefix, setup_indices

SHARED_DATASETS = Path(os.environ.get("NEWSWATCH_SHARED_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
TEST_ES_PORT = int(os.environ.get("NEWSWATCH_TEST_ES_PORT", "9250"))


def shared_dataset(name: str) -> Path:
    """Path of a ../shared dataset, or a clean skip when it is not there."""
    path = SHARED_DATASETS / name
    if not path.exists():
        pytest.skip(f"shared dataset {name} not available at {path}")
    return path


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """An initialised Airflow metadata DB for dag.test()."""
    (REPO_ROOT / "var" / "test-airflow").mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, env=dict(os.environ))


@pytest.fixture(scope="session")
def es_base_settings(tmp_path_factory) -> Settings:
    settings = Settings.from_env()
    home = tmp_path_factory.mktemp("newswatch-home")
    if settings.es.managed:
        node_home = settings.paths.home / f"test-es-{TEST_ES_PORT}"
        node_settings = settings.with_es(port=TEST_ES_PORT)
        # A node another test session started is shared, and left for that session to stop.
        started_here = es_node.health(es_node.layout_for(node_settings, home=node_home).url) is None
        layout = es_node.start(node_settings, home=node_home)
        yield settings.with_es(url=layout.url).with_paths(home=home)
        if started_here:
            es_node.stop(node_settings, home=node_home)
    else:
        yield settings.with_paths(home=home)


@pytest.fixture
def es_settings(es_base_settings, tmp_path) -> Settings:
    """Settings with a unique index prefix and a private home (spool, quarantine)."""
    return es_base_settings.with_es(index_prefix=f"nwt-{uuid.uuid4().hex[:10]}").with_paths(home=tmp_path / "home")


@pytest.fixture
def es(es_settings):
    client = es_client(es_settings.es)
    yield client
    drop_prefix(client, es_settings.es.index_prefix)
    client.close()


@pytest.fixture
def es_ready(es, es_settings):
    """A client whose prefix already has every template, index and alias installed."""
    setup_indices(es, es_settings.es.index_prefix)
    return es
