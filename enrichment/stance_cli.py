"""``newswatch stance`` (JSON lines in, judgements out) and ``newswatch eval stance``.

stance input, one object per line: ``{"id", "text", "target"}`` with a free-text claim, or
``{"id", "text", "target_id"}`` naming a target of the topic profile; with neither, the
text is judged against every target of the profile (one output line per target).
Output: ``{"id", "target_id", "label", "probs": {"favor", "against", "neutral"}, "confidence"}``;
a bad line gives ``{"id", "error"}`` and the rest of the batch goes on.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from enrichment.stance_data import (
    BLIND_PATH,
    IBM_DATASET_NAME,
    IN_DOMAIN_PATH,
    StanceDataError,
    StanceExample,
    load_stance_dataset,
    score_predictions,
    shared_datasets_dir,
)

BATCH_LINES = 128


class BadLine(ValueError):
    """One input line that cannot be judged; carries the item id when the line had one."""

    def __init__(self, message: str, item_id: str | None = None):
        super().__init__(message)
        self.item_id = item_id


def _requests_from_line(line: str, number: int, targets: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(id, text, claim, target_id) items for one input line; raises BadLine with the reason."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"line {number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(item, dict):
        raise BadLine(f"line {number}: expected a JSON object")
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


def _batches(lines: TextIO, size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_stance(lines: TextIO, out: TextIO, classifier, targets: dict[str, str]) -> int:
    """Judge every line; returns the number of lines that failed (each reported in place)."""
    failures = 0
    for batch in _batches(lines, BATCH_LINES):
        results: list[list[tuple[str, str, str, str]] | BadLine] = []
        for number, line in batch:
            try:
                results.append(_requests_from_line(line, number, targets))
            except BadLine as exc:
                results.append(exc)
        items = [request for result in results if not isinstance(result, BadLine) for request in result]
        judgements = iter(classifier.predict_batch([(text, claim, target_id) for _, text, claim, target_id in items]))
        for result in results:
            if isinstance(result, BadLine):
                failures += 1
                print(f"error: {result}", file=sys.stderr)
                out.write(json.dumps({"id": result.item_id, "error": str(result)}) + "\n")
                continue
            for item_id, _, _, target_id in result:
                judgement = next(judgements)
                record = {"id": item_id, "target_id": target_id, "label": judgement.label, "probs": judgement.probs, "confidence": judgement.confidence}
                out.write(json.dumps(record) + "\n")
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
    failures = run_stance(sys.stdin, sys.stdout, classifier, targets)
    return 1 if failures else 0


def evaluate_dataset(classifier, examples: list[StanceExample], polar_only: bool) -> dict:
    started = time.perf_counter()
    probs = classifier.probabilities([(e.claim, e.text) for e in examples])
    elapsed = time.perf_counter() - started
    scores = score_predictions([e.label for e in examples], probs, polar_only=polar_only, threshold=classifier.threshold)
    scores["ms_per_pair"] = round(1000 * elapsed / max(len(examples), 1), 2)
    return scores


def _default_datasets() -> list[tuple[str, Path, str]]:
    return [
        ("IBM Claim Stance", shared_datasets_dir() / IBM_DATASET_NAME, "test"),
        ("in-domain", IN_DOMAIN_PATH, "test"),
        ("blind in-domain", BLIND_PATH, "test"),
    ]


def format_scores(name: str, scores: dict) -> str:
    classes = scores["per_class_f1"]
    lines = [
        f"{name}: n={scores['n']}  macro-F1 {scores['macro_f1']:.3f}  accuracy {scores['accuracy']:.3f}  "
        f"({scores['ms_per_pair']} ms/pair)",
        "  per-class F1: " + "  ".join(f"{label} {value:.3f}" for label, value in classes.items()),
        f"  confident (p >= {scores['threshold']}): coverage {scores['coverage']:.3f}, accuracy {scores['confident_accuracy']:.3f}",
    ]
    if scores["polar_only"]:
        lines.append("  scored on pro/con only: label = the larger of favor/against (neutral ignored)")
    else:
        lines.append(f"  calibration: ECE {scores['ece']:.3f} (10 bins, argmax confidence)")
    return "\n".join(lines)


def _eval_command(args: argparse.Namespace) -> int:
    from enrichment.stance import StanceModelUnavailable

    if args.dataset:
        datasets = [(str(path), path, args.split) for path in args.dataset]
    else:
        datasets = _default_datasets()
    try:
        classifier = _load_classifier(args)
    except StanceModelUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = {}
    for name, path, split in datasets:
        try:
            examples, polar_only = load_stance_dataset(path, split=split, profile_name=args.profile)
        except (OSError, StanceDataError) as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        scores = evaluate_dataset(classifier, examples, polar_only)
        results[name] = scores
        print(format_scores(f"{name} [{split}]", scores))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if results else 1


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-dir", type=Path, default=None, help="trained stance model (default models/stance or NEWSWATCH_STANCE_MODEL_DIR)")
    parser.add_argument("--profile", default=None, help="topic profile name or path (default NEWSWATCH_PROFILE or ai_artists_rights)")
    parser.add_argument("--threshold", type=float, default=None, help="confidence below which the label is 'uncertain' (default: the model's)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("stance", help="stance of JSON-lines statements towards a claim or profile target (stdin -> stdout)")
    _add_model_options(parser)
    parser.set_defaults(handler=_stance_command)


def register_eval(tasks: argparse._SubParsersAction) -> None:
    parser = tasks.add_parser("stance", help="macro-F1 and per-class F1 of the stance model")
    parser.add_argument(
        "--dataset",
        type=Path,
        action="append",
        help="JSONL file (IBM claim_stance.jsonl, or rows with text, label and target_id/target); repeatable. "
        "Default: IBM Claim Stance test split and the in-domain test split",
    )
    parser.add_argument("--split", default="test", help="split to score when rows have one ('all' for every row)")
    parser.add_argument("--json", default=None, help="also write the scores to this JSON file")
    _add_model_options(parser)
    parser.set_defaults(handler=_eval_command)
