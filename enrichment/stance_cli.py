"""``newswatch stance`` (JSON lines in, judgements out) and ``newswatch eval stance``.

stance input, one object per line: ``{"id", "text", "target"}`` with a free-text claim, or
``{"id", "text", "target_id"}`` naming a target of the topic profile; with neither, the
text is judged against every target of the profile (one output line per target), or with
``--addressed`` against every target and printed only for those the text addresses.
Output: ``{"id", "target_id", "label", "probs": {"favor", "against", "neutral"}, "confidence",
"addressed"}``: ``label`` is the stance *if* the target is addressed, ``addressed`` the
probability that it is. A bad line (invalid UTF-8, a lone surrogate, not JSON, no text) gives
``{"id", "error": {"type", "message"}}`` and the rest of the batch goes on.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from newswatch.jsonl import LineError, error_record, exit_code, json_lines, write_record
from enrichment.stance_data import (
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
    shared_datasets_dir,
)

BATCH_LINES = 128


class BadLine(ValueError):
    """One input line that cannot be judged; carries the item id when the line had one."""

    def __init__(self, message: str, item_id: str | None = None):
        super().__init__(message)
        self.item_id = item_id


def _requests_from_item(item: dict, number: int, targets: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(id, text, claim, target_id) items for one input object; raises BadLine with the reason."""
    item_id = str(item.get("id", number))
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadLine(f"line {number}: missing or empty 'text'", item_id)
    if isinstance(item.get("target"), str) and item["target"].strip():
        return [(item_id, text, item["target"], str(item.get("target_id") or "custom"))]
    if "target_id" in item:
        target_id = str(item["target_id"])
        if target_id not in targets:
            raise BadLine(f"line {number}: unknown target_id {target_id!r} (known: {', '.join(targets)})", item_id)
        return [(item_id, text, targets[target_id], target_id)]
    return [(item_id, text, claim, target_id) for target_id, claim in targets.items()]


def _batches(lines: TextIO, size: int) -> Iterator[list[tuple[int, dict | LineError]]]:
    batch: list[tuple[int, dict | LineError]] = []
    for numbered in json_lines(lines):
        batch.append(numbered)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_stance(lines: TextIO, out: TextIO, classifier, targets: dict[str, str], addressed_only: bool = False) -> int:
    """Judge every line; returns the number of lines that failed (each reported in place)."""
    failures = 0
    for batch in _batches(lines, BATCH_LINES):
        results: list[list[tuple[str, str, str, str]] | dict] = []
        for number, item in batch:
            if isinstance(item, LineError):
                results.append(item.record())
                continue
            try:
                results.append(_requests_from_item(item, number, targets))
            except BadLine as exc:
                results.append(error_record(exc.item_id, "InvalidItem", str(exc)))
        items = [request for result in results if isinstance(result, list) for request in result]
        judgements = iter(classifier.predict_batch([(text, claim, target_id) for _, text, claim, target_id in items]))
        for result in results:
            if isinstance(result, dict):
                failures += 1
                print(f"error: {result['error']['message']}", file=sys.stderr)
                write_record(out, result)
                continue
            for item_id, _, _, target_id in result:
                judgement = next(judgements)
                if addressed_only and not classifier.is_addressed(judgement):
                    continue
                write_record(out, {
                    "id": item_id, "target_id": target_id, "label": judgement.label, "probs": judgement.probs,
                    "confidence": judgement.confidence, "addressed": judgement.addressed,
                })
    return failures


def _profile_targets(profile_name: str | None) -> dict[str, str]:
    from enrichment.profile import load_profile

    return {target.id: target.claim for target in load_profile(profile_name).targets}


def _load_classifier(args: argparse.Namespace):
    from enrichment.stance import StanceClassifier

    return StanceClassifier(args.model_dir, threshold=args.threshold, batch_size=args.batch_size, torch_threads=args.threads)


def _stance_command(args: argparse.Namespace) -> int:
    from enrichment.profile import ProfileError
    from enrichment.stance import StanceModelUnavailable

    try:
        targets = _profile_targets(args.profile)
        classifier = _load_classifier(args)
    except (ProfileError, StanceModelUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = run_stance(sys.stdin, sys.stdout, classifier, targets, addressed_only=args.addressed)
    return exit_code(failures)


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
    from enrichment.stance import StanceModelUnavailable

    try:
        classifier = _load_classifier(args)
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


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-dir", type=Path, default=None, help="trained stance model (default models/stance or NEWSWATCH_STANCE_MODEL_DIR)")
    parser.add_argument("--profile", default=None, help="topic profile name or path (default NEWSWATCH_PROFILE or ai_artists_rights)")
    parser.add_argument("--threshold", type=float, default=None, help="confidence below which the label is 'uncertain' (default: the model's)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("stance", help="stance of JSON-lines statements towards a claim or profile target (stdin -> stdout)")
    parser.add_argument("--addressed", action="store_true", help="with no target on a line: print only the targets the text addresses")
    _add_model_options(parser)
    parser.set_defaults(handler=_stance_command)


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
    _add_model_options(parser)
    parser.set_defaults(handler=_eval_command)
