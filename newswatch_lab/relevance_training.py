"""Fit the relevance head (reproducible) and measure it on a held-out split of real pages.

    python -m newswatch_lab.relevance_training [--profile ai_artists_rights]

Training data, three kinds:

* the project's own labelled set (``datasets/relevance/relevance.jsonl``);
* grounded items (``datasets/relevance/grounded/``): renderings of real news pages and
  primary sources (terms pages, company posts, court filings, consultation responses) on
  the beat, and of near misses (AI in general, copyright without AI, music business,
  platform terms that are not about training);
* real article pages from the shared extraction benchmarks (AEB, WCXB dev): almost all off
  the topic, they are the realistic negatives a news feed brings. The few on the topic are
  named in ``ON_TOPIC_REAL_PAGES``.

Grounded items (by search query: one query, one story) and real pages (by id) are split
by hash: ``TEST_SHARE`` of them is the test split, never trained on. Both models (full:
embedding + topic similarities; similarity-only) are logistic regressions whose
regularisation is picked by stratified 5-fold cross-validation on the training items.
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

from newswatch.enrichment.profile import TopicProfile, load_profile
from newswatch.enrichment.relevance import (
    DEFAULT_THRESHOLD,
    SIMILARITY_FEATURES,
    LinearModel,
    TopicPrototypes,
    head_path,
)
from newswatch_lab.relevance_data import (
    DEFAULT_DATASET,
    LabelledItem,
    item_vectors,
    load_labelled,
)
from newswatch_lab.shared import shared_datasets_dir

SEED = 7
FOLDS = 5
C_GRID = (1.0, 10.0, 100.0)
TEST_SHARE = 0.3
GROUNDED_RELEVANCE_PATH = DEFAULT_DATASET.parent / "grounded" / "relevance-grounded.jsonl"
# Real benchmark pages that are about AI and creators' rights (read and decided by hand).
ON_TOPIC_REAL_PAGES = frozenset({"wcxb:2722"})
REAL_PAGE_CHARS = 3000


def held_out(key: str) -> bool:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF < TEST_SHARE


def load_grounded_relevance(path: Path = GROUNDED_RELEVANCE_PATH) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """(train, test) grounded items; the split follows the search query that found the page."""
    train, test = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            # A primary source is read like an article: title and first sentences.
            item = LabelledItem(id=row["id"], kind="article", title=row.get("title"), text=row["text"], relevant=row["label"] == "relevant", group=row["group"])
            (test if held_out(row["query"]) else train).append(item)
    return train, test


def load_real_pages(shared_dir: Path) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """(train, test) items from the real article pages of AEB and WCXB dev (absent sets give nothing)."""
    items = []
    aeb = shared_dir / "article-extraction-benchmark" / "ground-truth.json"
    if aeb.exists():
        for key, row in sorted(json.loads(aeb.read_text(encoding="utf-8")).items()):
            items.append((f"aeb:{key[:12]}", None, row.get("articleBody") or ""))
    wcxb = shared_dir / "wcxb-dev-articles" / "ground-truth"
    if wcxb.is_dir():
        for path in sorted(wcxb.glob("*.json")):
            truth = json.loads(path.read_text(encoding="utf-8"))["ground_truth"]
            items.append((f"wcxb:{path.stem}", truth.get("title"), truth.get("main_content") or ""))
    labelled = [
        LabelledItem(id=key, kind="article", title=title, text=text[:REAL_PAGE_CHARS], relevant=key in ON_TOPIC_REAL_PAGES, group="real-page")
        for key, title, text in items
        if text.strip()
    ]
    return [i for i in labelled if not held_out(i.id)], [i for i in labelled if held_out(i.id)]


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


@dataclass
class RelevanceData:
    train: list[LabelledItem]
    test: list[LabelledItem]


def choose_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The flag threshold with the best cross-validated F1 (ties: the lower, which loses fewer stories)."""
    grid = np.round(np.arange(0.2, 0.61, 0.05), 2)
    scores = [Scores.of(labels, probabilities >= t).f1 for t in grid]
    return float(grid[int(np.argmax(scores))])


def relevance_data(dataset: Path, shared_dir: Path, grounded_path: Path = GROUNDED_RELEVANCE_PATH) -> RelevanceData:
    grounded_train, grounded_test = load_grounded_relevance(grounded_path)
    real_train, real_test = load_real_pages(shared_dir)
    return RelevanceData(train=load_labelled(dataset) + grounded_train + real_train, test=grounded_test + real_test)


def score_test(probabilities: np.ndarray, items: list[LabelledItem], threshold: float) -> dict:
    """F1 on the test split, primary-source recall, and the false-positive rate on real pages."""
    truth = np.array([i.relevant for i in items])
    predicted = probabilities >= threshold
    primary = np.array([i.group == "primary-source" for i in items])
    real = np.array([i.group == "real-page" for i in items])
    return {
        "items": len(items),
        "relevant": int(truth.sum()),
        **Scores.of(truth, predicted).to_json(),
        "primary_sources": int(primary.sum()),
        "primary_source_recall": round(float(predicted[primary & truth].mean()), 4) if (primary & truth).any() else None,
        "real_pages": int(real.sum()),
        "real_page_false_positive_rate": round(float(predicted[real & ~truth].mean()), 4) if (real & ~truth).any() else None,
    }


def train(dataset: Path, profile: TopicProfile, output: Path, shared_dir: Path) -> dict:
    from newswatch.enrichment.model_service import get_encoder

    split = relevance_data(dataset, shared_dir)
    encoder = get_encoder()
    data = build_features(split.train, profile, encoder)
    test = build_features(split.test, profile, encoder)
    record: dict = {"profile_id": profile.id, "profile_version": profile.version, "similarity_features": list(SIMILARITY_FEATURES)}
    validation = {}
    for name, features in (("full", data.full), ("similarity_only", data.similarity)):
        c_value, held_out_probabilities = choose_c(features, data.labels)
        if name == "full":
            record["threshold"] = choose_threshold(data.labels, held_out_probabilities)
        model = _fit(features, data.labels, c_value)
        record[name] = LinearModel(model.coef_[0], float(model.intercept_[0])).to_json()
        test_features = test.full if name == "full" else test.similarity
        validation[name] = {
            "C": c_value,
            **Scores.of(data.labels, held_out_probabilities >= record["threshold"]).to_json(),
            "test": score_test(model.predict_proba(test_features)[:, 1], split.test, record["threshold"]),
        }
    record["training"] = {
        "script": "python -m newswatch_lab.relevance_training",
        "dataset": str(dataset.name),
        "dataset_sha256": hashlib.sha256(Path(dataset).read_bytes()).hexdigest(),
        "grounded_sha256": hashlib.sha256(GROUNDED_RELEVANCE_PATH.read_bytes()).hexdigest(),
        "items": len(data.items),
        "test_items": len(split.test),
        "relevant": int(data.labels.sum()),
        "seed": SEED,
        "cross_validation": {"method": f"stratified {FOLDS}-fold, C from {list(C_GRID)}, threshold by cross-validated F1", **validation},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--profile", default=None, help="profile name or YAML path (default: NEWSWATCH_PROFILE or ai_artists_rights)")
    parser.add_argument("--output", type=Path, default=None, help="default: models/relevance_<profile id>.json")
    args = parser.parse_args(argv)
    profile = load_profile(args.profile)
    record = train(args.dataset, profile, args.output or head_path(profile.id), shared_datasets_dir())
    print(json.dumps(record["training"]["cross_validation"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
