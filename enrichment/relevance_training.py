"""Fit the relevance head on the labelled set (reproducible) and measure it by cross-validation.

    python -m enrichment.relevance_training [--dataset datasets/relevance/relevance.jsonl] [--profile ai_artists_rights]

Both models (full: embedding + topic similarities; similarity-only) are
logistic regressions. Their regularisation strength is picked from a small
grid by stratified 5-fold cross-validation (seeded); the chosen setting is
refitted on all items and written with its cross-validated precision, recall
and F1, so the head file records how good it is on items it did not see.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from enrichment.profile import TopicProfile, load_profile
from enrichment.relevance import (
    DEFAULT_DATASET,
    DEFAULT_THRESHOLD,
    SIMILARITY_FEATURES,
    LabelledItem,
    LinearModel,
    TopicPrototypes,
    head_path,
    item_vectors,
    load_labelled,
)

SEED = 7
FOLDS = 5
C_GRID = (1.0, 10.0, 100.0)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    @staticmethod
    def of(truth: np.ndarray, predicted: np.ndarray) -> "Scores":
        p, r, f, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
        return Scores(float(p), float(r), float(f))

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class FeatureSet:
    items: list[LabelledItem]
    vectors: np.ndarray
    full: np.ndarray
    similarity: np.ndarray
    labels: np.ndarray


def build_features(items: list[LabelledItem], profile: TopicProfile, encoder) -> FeatureSet:
    vectors = item_vectors(items, encoder)
    similarity = TopicPrototypes(profile, encoder).similarity_features(vectors)
    return FeatureSet(
        items=items,
        vectors=vectors,
        full=np.hstack([vectors, similarity]),
        similarity=similarity,
        labels=np.array([item.relevant for item in items], dtype=int),
    )


def _fit(features: np.ndarray, labels: np.ndarray, c_value: float) -> LogisticRegression:
    return LogisticRegression(C=c_value, max_iter=5000).fit(features, labels)


def cross_validated_probabilities(features: np.ndarray, labels: np.ndarray, c_value: float) -> np.ndarray:
    probabilities = np.zeros(len(labels))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(features, labels):
        probabilities[test] = _fit(features[train], labels[train], c_value).predict_proba(features[test])[:, 1]
    return probabilities


def choose_c(features: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The grid value with the best cross-validated F1, and its held-out probabilities."""
    best: tuple[float, float, np.ndarray] | None = None
    for c_value in C_GRID:
        probabilities = cross_validated_probabilities(features, labels, c_value)
        f1 = Scores.of(labels, probabilities >= DEFAULT_THRESHOLD).f1
        if best is None or f1 > best[0]:
            best = (f1, c_value, probabilities)
    assert best is not None
    return best[1], best[2]


def train(dataset: Path, profile: TopicProfile, output: Path) -> dict:
    from enrichment.model_service import get_encoder

    data = build_features(load_labelled(dataset), profile, get_encoder())
    record: dict = {"profile_id": profile.id, "profile_version": profile.version, "similarity_features": list(SIMILARITY_FEATURES), "threshold": DEFAULT_THRESHOLD}
    validation = {}
    for name, features in (("full", data.full), ("similarity_only", data.similarity)):
        c_value, held_out = choose_c(features, data.labels)
        model = _fit(features, data.labels, c_value)
        record[name] = LinearModel(model.coef_[0], float(model.intercept_[0])).to_json()
        validation[name] = {"C": c_value, **Scores.of(data.labels, held_out >= DEFAULT_THRESHOLD).to_json()}
    record["training"] = {
        "script": "python -m enrichment.relevance_training",
        "dataset": str(dataset.name),
        "dataset_sha256": hashlib.sha256(Path(dataset).read_bytes()).hexdigest(),
        "items": len(data.items),
        "relevant": int(data.labels.sum()),
        "seed": SEED,
        "cross_validation": {"method": f"stratified {FOLDS}-fold, C from {list(C_GRID)}", **validation},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--profile", default=None, help="profile name or YAML path (default: NEWSWATCH_PROFILE or ai_artists_rights)")
    parser.add_argument("--output", type=Path, default=None, help="default: enrichment/models/relevance_<profile id>.json")
    args = parser.parse_args(argv)
    profile = load_profile(args.profile)
    record = train(args.dataset, profile, args.output or head_path(profile.id))
    print(json.dumps(record["training"]["cross_validation"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
