"""Fit the extractive summariser's sentence-scoring head (reproducible).

    python -m newswatch_lab.summary_training --dataset ../shared/datasets/summarization-cnndm

What is fitted: the 18 coefficients of a logistic regression over the
hand-made sentence features of ``newswatch.enrichment.summarize`` (position prior,
centrality, length, quotation) plus the MMR redundancy weight. That is the
tuning of a position-and-centrality scoring rule, not a learned text model: no
word or embedding dimension is a feature.

Labels: for each article, the greedy ROUGE oracle (add the candidate sentence
that most raises ROUGE-1 + ROUGE-2 F1 against the highlights, up to three).

Model selection: a seeded 5-fold split of the articles; for each setting of
(C, redundancy) fit on four folds and score ROUGE on the fifth, in turn; the
setting with the best mean held-out ROUGE-1+2+Lsum is refitted on all articles.
The held-out scores and Lead-3 on the same folds are written next to the weights,
together with the dataset's SHA-256, so the file records how it was made.
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

from newswatch.enrichment.sentences import prepare_sentences
from newswatch.enrichment.summarize import (
    DEFAULT_HEAD_PATH,
    FEATURE_NAMES,
    select_diverse,
    sentence_features,
)
from newswatch_lab.summary_eval import (
    RougeScorer,
    dataset_file,
    load_reference_articles,
)

SEED = 20240611
MAX_CANDIDATES = 15
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
REDUNDANCY_GRID = (0.5, 0.75, 1.0, 1.25, 1.5)
FOLDS = 5
ORACLE_SIZE = 3


@dataclass
class TrainingArticle:
    display: list[str]
    highlights: list[str]
    features: np.ndarray
    similarity: np.ndarray
    labels: np.ndarray


class CachedRouge:
    """ROUGE of a sentence subset per article, memoised: settings often pick the same subsets."""

    def __init__(self, articles: list[TrainingArticle]):
        self.articles = articles
        self.scorer = RougeScorer()
        self.memo: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}

    def __call__(self, article_index: int, chosen: list[int]) -> np.ndarray:
        key = (article_index, tuple(sorted(chosen)))
        if key not in self.memo:
            article = self.articles[article_index]
            sentences = [article.display[i] for i in key[1]]
            self.memo[key] = np.array(self.scorer.score(article.highlights, sentences))
        return self.memo[key]


def greedy_oracle(display: list[str], highlights: list[str], scorer: RougeScorer) -> np.ndarray:
    chosen: list[int] = []
    best = 0.0
    for _ in range(min(ORACLE_SIZE, len(display))):
        best_index = None
        for index in range(len(display)):
            if index in chosen:
                continue
            r1, r2, _ = scorer.score(highlights, [display[i] for i in sorted(chosen + [index])])
            if r1 + r2 > best:
                best, best_index = r1 + r2, index
        if best_index is None:
            break
        chosen.append(best_index)
    labels = np.zeros(len(display))
    labels[chosen] = 1.0
    return labels


def build_training_set(dataset: Path, encoder) -> list[TrainingArticle]:
    scorer = RougeScorer()
    articles = []
    for reference in load_reference_articles(dataset):
        candidates = prepare_sentences(reference.article, tokenized=True, limit=MAX_CANDIDATES)
        if len(candidates.display) < 2:
            continue
        embeddings = encoder.encode(candidates.plain)
        articles.append(
            TrainingArticle(
                display=candidates.display,
                highlights=reference.highlights,
                features=sentence_features(candidates.plain, embeddings, candidates.total),
                similarity=embeddings @ embeddings.T,
                labels=greedy_oracle(candidates.display, reference.highlights, scorer),
            )
        )
    return articles


def fit_head(articles: list[TrainingArticle], indices: np.ndarray, c_value: float) -> LogisticRegression:
    features = np.concatenate([articles[i].features for i in indices])
    labels = np.concatenate([articles[i].labels for i in indices])
    return LogisticRegression(C=c_value, max_iter=5000).fit(features, labels)


def held_out_rouge(articles, rouge: CachedRouge, indices, model: LogisticRegression, redundancy: float) -> np.ndarray:
    total = np.zeros(3)
    for index in indices:
        article = articles[index]
        scores = article.features @ model.coef_[0] + model.intercept_[0]
        total += rouge(index, select_diverse(scores, article.similarity, ORACLE_SIZE, redundancy))
    return total / len(indices)


def train(dataset: Path, output: Path) -> dict:
    from newswatch.enrichment.model_service import get_encoder

    articles = build_training_set(dataset, get_encoder())
    rouge = CachedRouge(articles)
    order = np.random.RandomState(SEED).permutation(len(articles))
    folds = [order[k::FOLDS] for k in range(FOLDS)]

    def fitted_without(k: int) -> np.ndarray:
        return np.concatenate([fold for j, fold in enumerate(folds) if j != k])

    lead3 = [np.mean([rouge(i, [0, 1, 2]) for i in fold], axis=0) for fold in folds]
    results = []
    for c_value in C_GRID:
        models = [fit_head(articles, fitted_without(k), c_value) for k in range(FOLDS)]
        for redundancy in REDUNDANCY_GRID:
            per_fold = [held_out_rouge(articles, rouge, folds[k], models[k], redundancy) for k in range(FOLDS)]
            results.append({"C": c_value, "redundancy": redundancy, "folds": per_fold, "mean": np.mean(per_fold, axis=0)})
            print(f"C={c_value:<5} redundancy={redundancy:<4} held-out R1/R2/RLsum {np.round(results[-1]['mean'], 2)}", file=sys.stderr)
    best = max(results, key=lambda r: float(r["mean"].sum()))
    final = fit_head(articles, np.arange(len(articles)), best["C"])

    record = {
        "features": list(FEATURE_NAMES),
        "coefficients": [round(float(v), 6) for v in final.coef_[0]],
        "intercept": round(float(final.intercept_[0]), 6),
        "redundancy": best["redundancy"],
        "max_candidates": MAX_CANDIDATES,
        "training": {
            "script": "python -m newswatch_lab.summary_training",
            "dataset": dataset_file(dataset).name,
            "dataset_sha256": hashlib.sha256(dataset_file(dataset).read_bytes()).hexdigest(),
            "articles": len(articles),
            "labels": f"greedy ROUGE-1+2 oracle, {ORACLE_SIZE} sentences",
            "seed": SEED,
            "C": best["C"],
            "grid": {"C": list(C_GRID), "redundancy": list(REDUNDANCY_GRID)},
            "cross_validation": {
                "method": f"{FOLDS}-fold over articles, fitted on {FOLDS - 1} folds, scored on the other, in turn",
                "held_out_rouge_1_2_lsum": [round(float(v), 2) for v in best["mean"]],
                "lead3_rouge_1_2_lsum": [round(float(v), 2) for v in np.mean(lead3, axis=0)],
                "held_out_per_fold": [[round(float(v), 2) for v in fold] for fold in best["folds"]],
                "lead3_per_fold": [[round(float(v), 2) for v in fold] for fold in lead3],
            },
        },
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True, help="folder with dev.jsonl (or the file itself)")
    parser.add_argument("--output", type=Path, default=DEFAULT_HEAD_PATH)
    args = parser.parse_args(argv)
    record = train(args.dataset, args.output)
    print(json.dumps(record["training"]["cross_validation"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
