"""Every DAG imports cleanly, has owners and retries, and does no heavy work at import time."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from newswatch.core.settings import REPO_ROOT

DAGS_DIR = REPO_ROOT / "dags"
HEAVY_MODULES = ["torch", "transformers", "spacy", "trafilatura", "newspaper", "elasticsearch", "sklearn"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_all_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"newswatch_ingest", "newswatch_reprocess"} <= set(dagbag.dag_ids)


def test_every_task_has_an_owner_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        for task in dag.tasks:
            assert task.owner not in (None, "", "airflow"), (dag_id, task.task_id)
            assert task.retries >= 1, (dag_id, task.task_id)


def test_dags_have_no_cycles_and_are_tagged(dagbag):
    for dag_id, dag in dagbag.dags.items():
        order = dag.topological_sort()  # raises on a cycle
        assert len(order) == len(dag.tasks)
        assert "newswatch" in dag.tags, dag_id


def test_importing_dag_files_loads_no_heavy_libraries():
    probe = (
        "import importlib.util, json, sys, pathlib\n"
        f"for path in sorted(pathlib.Path({str(DAGS_DIR)!r}).glob('*.py')):\n"
        "    spec = importlib.util.spec_from_file_location(path.stem, path)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ), check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
