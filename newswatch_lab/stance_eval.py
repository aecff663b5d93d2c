"""``newswatch eval stance``: every stance figure of the acceptance table, in one table."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newswatch.commands.stance import add_model_options, load_classifier
from newswatch_lab.shared import shared_datasets_dir
from newswatch_lab.stance_data import (
    BLIND_PATH,
    CONTRAST_PATH,
    GROUNDED_PATH,
    IBM_DATASET_NAME,
    IN_DOMAIN_PATH,
    StanceDataError,
    StanceExample,
    grounded_examples,
    labelling_agreement,
    load_contrast,
    load_grounded,
    load_stance_dataset,
    profile_claims,
    score_contrast,
    score_grounded,
    score_predictions,
)


def evaluate_dataset(classifier, examples: list[StanceExample], polar_only: bool) -> dict:
    started = time.perf_counter()
    probs = classifier.probabilities([(e.claim, e.text) for e in examples])
    elapsed = time.perf_counter() - started
    scores = score_predictions([e.label for e in examples], probs, polar_only=polar_only, threshold=classifier.threshold)
    scores["ms_per_pair"] = round(1000 * elapsed / max(len(examples), 1), 2)
    return scores


def evaluate_grounded(classifier, path: Path, split: str) -> dict:
    claims = profile_claims()
    examples = grounded_examples(load_grounded(path, set(claims)), claims, split)
    if not examples:
        raise StanceDataError(f"{path}: no rows in split {split!r}")
    probs = classifier.full_probabilities([(e.claim, e.text) for e in examples])
    return score_grounded([e.label for e in examples], probs, classifier.addressed_threshold)


def evaluate_contrast(classifier, path: Path) -> dict:
    pairs = load_contrast(path)
    claims = profile_claims()
    texts = [(claims[p.target], text) for p in pairs for text, _ in (p.first, p.second)]
    return score_contrast(pairs, classifier.full_probabilities(texts))


def _default_datasets() -> list[tuple[str, Path, str]]:
    return [
        ("IBM Claim Stance, unseen motions", shared_datasets_dir() / IBM_DATASET_NAME, "test"),
        ("in-domain", IN_DOMAIN_PATH, "test"),
        ("blind", BLIND_PATH, "test"),
    ]


TARGETS_TABLE = (
    ("grounded test: stance macro-F1 (addressed pairs)", "grounded", "stance_macro_f1", ">= 0.80"),
    ("grounded test: favor F1", "grounded", "favor", ">= 0.70"),
    ("grounded test: against F1", "grounded", "against", ">= 0.70"),
    ("grounded test: neutral F1", "grounded", "neutral", ">= 0.70"),
    ("grounded test: addressed-target detection F1", "grounded", "addressed_f1", ">= 0.80"),
    ("contrast set: pair accuracy", "contrast", "pair_accuracy", ">= 0.85"),
    ("blind set: macro-F1", "blind", "macro_f1", ">= 0.85"),
    ("in-domain test: macro-F1", "in-domain", "macro_f1", ">= 0.86"),
    ("IBM unseen motions: pro/con macro-F1", "IBM Claim Stance, unseen motions", "macro_f1", ">= 0.65"),
)


def _figure(results: dict, name: str, key: str) -> float | None:
    scores = results.get(name)
    if scores is None:
        return None
    return scores.get(key, scores.get("per_class_f1", {}).get(key))


def format_table(results: dict, agreement: dict | None) -> str:
    rows = [f"{'what':<52} {'result':>8}  target"]
    for label, name, key, target in TARGETS_TABLE:
        value = _figure(results, name, key)
        rows.append(f"{label:<52} {'skipped' if value is None else f'{value:.3f}':>8}  {target}")
    if "grounded" in results:
        g = results["grounded"]
        rows.append(f"{'grounded test: pairs / addressed / four-way macro-F1':<52} {g['n']} / {g['addressed']} / {g['four_way_macro_f1']:.3f}")
    if agreement:
        kappas = "  ".join(f"{t} {k:.2f}" for t, k in agreement["kappa"].items())
        rows.append(f"labelling agreement, {agreement['records']} records double-labelled, Cohen's kappa: {kappas}")
    return "\n".join(rows)


def _eval_command(args: argparse.Namespace) -> int:
    from newswatch.enrichment.stance import StanceModelUnavailable

    try:
        classifier = load_classifier(args)
    except StanceModelUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    if args.dataset:
        datasets = [(str(path), path, args.split) for path in args.dataset]
    else:
        datasets = _default_datasets()
        for name, evaluate, path in (("grounded", lambda p: evaluate_grounded(classifier, p, args.split), args.grounded), ("contrast", lambda p: evaluate_contrast(classifier, p), args.contrast)):
            try:
                results[name] = evaluate(path)
            except (OSError, StanceDataError) as exc:
                print(f"{name}: skipped ({exc})", file=sys.stderr)
    for name, path, split in datasets:
        try:
            examples, polar_only = load_stance_dataset(path, split=split, profile_name=args.profile)
        except (OSError, StanceDataError) as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        results[name] = evaluate_dataset(classifier, examples, polar_only)
        if args.dataset:
            print(format_scores(f"{name} [{split}]", results[name]))
    if not args.dataset:
        print(format_table(results, labelling_agreement()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if results else 1


def format_scores(name: str, scores: dict) -> str:
    classes = scores["per_class_f1"]
    lines = [
        f"{name}: n={scores['n']}  macro-F1 {scores['macro_f1']:.3f}  accuracy {scores['accuracy']:.3f}  ({scores['ms_per_pair']} ms/pair)",
        "  per-class F1: " + "  ".join(f"{label} {value:.3f}" for label, value in classes.items()),
    ]
    return "\n".join(lines)


def register_eval(tasks: argparse._SubParsersAction) -> None:
    parser = tasks.add_parser("stance", help="macro-F1 and per-class F1 of the stance model")
    parser.add_argument(
        "--dataset",
        type=Path,
        action="append",
        help="JSONL file (IBM claim_stance.jsonl, or rows with text, label and target_id/target); repeatable. "
        "Default: the grounded test split, the contrast set, IBM's unseen motions, the in-domain and blind sets, in one table",
    )
    parser.add_argument("--split", default="test", help="split to score when rows have one ('all' for every row)")
    parser.add_argument("--grounded", type=Path, default=GROUNDED_PATH, help="grounded statements (every target labelled)")
    parser.add_argument("--contrast", type=Path, default=CONTRAST_PATH, help="contrast pairs")
    parser.add_argument("--json", default=None, help="also write the scores to this JSON file")
    add_model_options(parser)
    parser.set_defaults(handler=_eval_command)
