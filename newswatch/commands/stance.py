"""``newswatch stance``: JSON lines in, one judgement per (statement, target) out.

stance input, one object per line: ``{"id", "text", "target"}`` with a free-text claim, or
``{"id", "text", "target_id"}`` naming a target of the topic profile; with neither, the
text is judged against every target of the profile (one output line per target), or with
``--addressed`` against every target and printed only for those the text addresses.
Output: ``{"id", "target_id", "label", "probs": {"favor", "against", "neutral"}, "confidence",
"addressed"}``: ``label`` is the stance *if* the target is addressed, ``addressed`` the
probability that it is. A bad line (invalid UTF-8, a lone surrogate, not JSON, no text) gives
``{"id", "error": {"type", "message"}}`` and the rest of the batch goes on
(``newswatch.commands.json_lines``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from newswatch.commands.json_lines import BatchHandler, ItemRejected, run_json_lines
from newswatch.core.jsonl import exit_code
from newswatch.core.settings import Settings

BATCH_LINES = 128


def requests_for_item(item: dict, targets: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(id, text, claim, target_id) to judge for one input object; ItemRejected says why there are none."""
    item_id = str(item.get("id"))
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ItemRejected("missing or empty 'text'")
    if isinstance(item.get("target"), str) and item["target"].strip():
        return [(item_id, text, item["target"], str(item.get("target_id") or "custom"))]
    if "target_id" in item:
        target_id = str(item["target_id"])
        if target_id not in targets:
            raise ItemRejected(f"unknown target_id {target_id!r} (known: {', '.join(targets)})")
        return [(item_id, text, targets[target_id], target_id)]
    return [(item_id, text, claim, target_id) for target_id, claim in targets.items()]


def stance_handler(classifier, targets: dict[str, str], addressed_only: bool = False) -> BatchHandler:
    """Judges a batch's (text, claim) pairs in one model call; a refused item stays that item's error."""

    def handle(items: list[dict]) -> list[list[dict] | Exception]:
        planned: list[list[tuple[str, str, str, str]] | Exception] = []
        for item in items:
            try:
                planned.append(requests_for_item(item, targets))
            except ItemRejected as exc:
                planned.append(exc)
        pairs = [request for plan in planned if not isinstance(plan, Exception) for request in plan]
        judgements = iter(classifier.predict_batch([(text, claim, target_id) for _, text, claim, target_id in pairs]))
        outcomes: list[list[dict] | Exception] = []
        for plan in planned:
            if isinstance(plan, Exception):
                outcomes.append(plan)
                continue
            records = []
            for item_id, _, _, target_id in plan:
                judgement = next(judgements)
                if addressed_only and not classifier.is_addressed(judgement):
                    continue
                records.append({
                    "id": item_id, "target_id": target_id, "label": judgement.label, "probs": judgement.probs,
                    "confidence": judgement.confidence, "addressed": judgement.addressed,
                })
            outcomes.append(records)
        return outcomes

    return handle


def run_stance(lines: TextIO, out: TextIO, classifier, targets: dict[str, str], addressed_only: bool = False) -> int:
    """Judge every line; returns the number of lines that failed (each reported in place)."""
    _, failed = run_json_lines(lines, out, stance_handler(classifier, targets, addressed_only), batch_size=BATCH_LINES)
    return failed


def _profile_targets(profile_name: str | None) -> dict[str, str]:
    from newswatch.enrichment.profile import load_profile

    return {target.id: target.claim for target in load_profile(profile_name).targets}


def load_classifier(args: argparse.Namespace):
    from newswatch.enrichment.stance import StanceClassifier

    precision = Settings.from_env().models.inference_precision
    return StanceClassifier(args.model_dir, threshold=args.threshold, batch_size=args.batch_size, torch_threads=args.threads, precision=precision)


def _stance_command(args: argparse.Namespace) -> int:
    from newswatch.enrichment.profile import ProfileError
    from newswatch.enrichment.stance import StanceModelUnavailable

    try:
        targets = _profile_targets(args.profile)
        classifier = load_classifier(args)
    except (ProfileError, StanceModelUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = run_stance(sys.stdin, sys.stdout, classifier, targets, addressed_only=args.addressed)
    return exit_code(failures)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-dir", type=Path, default=None, help="trained stance model (default models/stance or NEWSWATCH_STANCE_MODEL_DIR)")
    parser.add_argument("--profile", default=None, help="topic profile name or path (default NEWSWATCH_PROFILE or ai_artists_rights)")
    parser.add_argument("--threshold", type=float, default=None, help="confidence below which the label is 'uncertain' (default: the model's)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("stance", help="stance of JSON-lines statements towards a claim or profile target (stdin -> stdout)")
    parser.add_argument("--addressed", action="store_true", help="with no target on a line: print only the targets the text addresses")
    add_model_options(parser)
    parser.set_defaults(handler=_stance_command)
