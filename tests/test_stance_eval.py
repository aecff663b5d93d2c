"""The shipped stance model on its held-out data (skipped when no model is installed).

Targets (issue 5), both asserted: in-domain held-out test split, 3-way macro-F1 >= 0.80;
IBM Claim Stance test motions (unseen in training), pro/con macro-F1 >= 0.65 (larger of
favor/against).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from enrichment.stance import STANCE_CONFIG_FILE, stance_model_dir
from enrichment.stance_cli import evaluate_dataset
from enrichment.stance_data import BLIND_PATH, IN_DOMAIN_PATH, load_stance_dataset
from newswatch.settings import REPO_ROOT
from tests.conftest import shared_dataset


@pytest.fixture(scope="module")
def shipped_classifier():
    if not (stance_model_dir() / STANCE_CONFIG_FILE).exists():
        pytest.skip(f"no trained stance model in {stance_model_dir()} (python scripts/train_stance.py)")
    from enrichment.stance import StanceClassifier

    return StanceClassifier(stance_model_dir(), torch_threads=2)


def test_in_domain_held_out_macro_f1(shipped_classifier):
    examples, polar_only = load_stance_dataset(IN_DOMAIN_PATH, split="test")
    scores = evaluate_dataset(shipped_classifier, examples, polar_only)
    assert scores["macro_f1"] >= 0.80, scores


def test_blind_statements_macro_f1(shipped_classifier):
    """90 statements written without sight of the training data (datasets/stance-blind)."""
    examples, polar_only = load_stance_dataset(BLIND_PATH, split="test")
    assert len(examples) == 90 and not polar_only
    scores = evaluate_dataset(shipped_classifier, examples, polar_only)
    assert scores["macro_f1"] >= 0.80, scores


@pytest.mark.shared_data
def test_ibm_unseen_motions_pro_con_macro_f1(shipped_classifier):
    examples, polar_only = load_stance_dataset(shared_dataset("stance-ibm-claim-stance"), split="test")
    assert polar_only
    scores = evaluate_dataset(shipped_classifier, examples, polar_only)
    assert scores["macro_f1"] >= 0.65, scores


def test_shipped_model_records_how_it_was_trained(shipped_classifier):
    metrics = json.loads((stance_model_dir() / "metrics.json").read_text())
    assert metrics["config"]["seed"] is not None
    assert len(metrics["data"]["in_domain"]["sha256"]) == 64
    assert metrics["temperature"] == pytest.approx(shipped_classifier.settings.temperature)
    assert metrics["ensemble_temperature"] == pytest.approx(shipped_classifier.settings.ensemble_temperature)
    assert set(metrics["experts"]) == {"tuned", "reference"}


def test_stance_command_reads_and_writes_json_lines(shipped_classifier):
    lines = "\n".join(
        [
            json.dumps({"id": "q1", "text": '"Pay us for our songs or stop using them," the singer said.', "target_id": "compensation"}),
            json.dumps({"id": "q2", "text": "The hearing was moved to March.", "target": "Lawsuits against AI firms are justified."}),
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "newswatch.cli", "stance"], input=lines, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["q1", "q2"]
    for record in records:
        assert record["label"] in {"favor", "against", "neutral", "uncertain"}
        assert set(record["probs"]) == {"favor", "against", "neutral"}
