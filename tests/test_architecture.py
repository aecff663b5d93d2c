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


@pytest.mark.parametrize("module, violation, contract", [
    ("newswatch/core/model.py", "from newswatch_lab import shared", "The runtime never imports the lab"),
    ("newswatch/feeds/poller.py", "from newswatch import pipeline", "Layers: entry points over the pipeline"),
], ids=["runtime-imports-lab", "stage-imports-pipeline"])
def test_a_deliberate_violation_breaks_its_contract(package_copy, module, violation, contract):
    path = package_copy / module
    path.write_text(path.read_text() + f"\n{violation}  # deliberate violation\n")
    result = lint_imports(package_copy)
    assert result.returncode != 0
    assert any(line.startswith(contract) and line.rstrip().endswith("BROKEN") for line in result.stdout.splitlines()), result.stdout
