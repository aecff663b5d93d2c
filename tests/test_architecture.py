"""The shape of the code: the runtime never imports the lab, and layers only import downwards.

The contracts live in pyproject.toml ([tool.importlinter]); these tests run them, and show
on a copy of the packages that a deliberate violation fails them.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.core.settings import REPO_ROOT

PACKAGES = ("newswatch", "newswatch_lab", "extractors")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))"]
    return subprocess.run(command, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=300)


@pytest.fixture
def package_copy(tmp_path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.md", "*.j2"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold():
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_runtime_code_importing_the_lab_breaks_a_contract(package_copy):
    model = package_copy / "newswatch" / "core" / "model.py"
    model.write_text(model.read_text() + "\nfrom newswatch_lab import shared  # deliberate violation\n")
    result = lint_imports(package_copy)
    assert result.returncode != 0
    assert "The runtime never imports the lab" in result.stdout and "BROKEN" in result.stdout


def test_a_stage_importing_the_pipeline_breaks_the_layers(package_copy):
    poller = package_copy / "newswatch" / "feeds" / "poller.py"
    poller.write_text(poller.read_text() + "\nfrom newswatch import pipeline  # deliberate violation: a stage reaching up\n")
    result = lint_imports(package_copy)
    assert result.returncode != 0
    assert "Layers: entry points over the pipeline" in result.stdout and "BROKEN" in result.stdout
