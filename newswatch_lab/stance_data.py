"""Labelled stance data: the IBM Claim Stance set and the project's own in-domain set.

Both become ``StanceExample`` rows (claim, text, label) so training and evaluation
share one shape. Labels are always relative to the claim: ``favor`` means the text
supports the claim, whatever side its speaker is usually on.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newswatch.core.jsonl import read_jsonl as read_jsonl_file
from newswatch.core.labels import LABELS, MODEL_LABELS, NOT_ADDRESSED, POLAR_LABELS
from newswatch.core.settings import REPO_ROOT

SPLITS: tuple[str, ...] = ("train", "dev", "test")
FLIP = {"favor": "against", "against": "favor", "neutral": "neutral"}

IN_DOMAIN_PATH = REPO_ROOT / "datasets" / "stance" / "stance-indomain.jsonl"
# Written blind (without seeing the in-domain set) as an independent check: never trained or tuned on.
BLIND_PATH = REPO_ROOT / "datasets" / "stance-blind" / "stance-blind.jsonl"
IBM_DATASET_NAME = "stance-ibm-claim-stance"
# Renderings of real public statements, every profile target labelled (see its GUIDE.md).
GROUNDED_DIR = REPO_ROOT / "datasets" / "stance-grounded"
GROUNDED_PATH = GROUNDED_DIR / "statements.jsonl"
CONTRAST_PATH = GROUNDED_DIR / "contrast.jsonl"
# Four rounds of training minimal pairs; the later ones stress tone against position, analogies,
# who-does-what, implicit demands and terms wording.
CONTRAST_TRAINING_PATHS = tuple(GROUNDED_DIR / name for name in ("contrast-train.jsonl", "contrast-train-2.jsonl", "contrast-train-3.jsonl", "contrast-train-4.jsonl"))
DOUBLE_LABELLED_PATH = GROUNDED_DIR / "double-labelled.jsonl"


class StanceDataError(ValueError):
    """A stance data file is missing or has invalid rows; the message lists each problem."""


@dataclass(frozen=True)
class StanceExample:
    id: str
    claim: str
    text: str
    label: str
    split: str
    group: str  # topic / target id: what cross-target evaluation keeps apart


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def label_counts(examples: list[StanceExample]) -> dict[str, int]:
    counts = Counter(e.label for e in examples)
    return {label: counts.get(label, 0) for label in MODEL_LABELS if counts.get(label) or label in LABELS}


# --- IBM Claim Stance -------------------------------------------------------------

_MOTION_PREFIXES = (
    # Debate motions start with a fixed formula; the proposition after it is the claim.
    (re.compile(r"^this house believes that ", re.I), ""),
    (re.compile(r"^this house believes in ", re.I), "We should support "),
    (re.compile(r"^this house believes ", re.I), ""),
    (re.compile(r"^this house supports ", re.I), "We should support "),
    (re.compile(r"^this house would ", re.I), "We should "),
)


def motion_to_claim(motion: str) -> str:
    """'This house would ban boxing' -> 'We should ban boxing'.

    The profile's targets are plain propositions, so IBM motions are rewritten into the
    same form for training and evaluation alike.
    """
    text = " ".join(motion.split())
    for pattern, replacement in _MOTION_PREFIXES:
        if pattern.match(text):
            text = pattern.sub(replacement, text, count=1)
            break
    return text[:1].upper() + text[1:]


def negate_claim(claim: str) -> str:
    """A claim meaning the opposite, for label-flipping augmentation.

    "must" becomes "need not", "must not" becomes "may", "should not" becomes "should";
    other modal and copular verbs get a "not"; anything else is wrapped. The wording need not be elegant: it only
    has to point the other way.
    """
    for before, after in ((" must not ", " may "), (" should not ", " should "), (" cannot ", " can "), (" must ", " need not ")):
        if before in claim:
            return claim.replace(before, after, 1)
    for verb in (" should ", " would ", " can ", " are ", " is ", " were ", " was "):
        if verb in claim and f"{verb}not " not in claim:
            return claim.replace(verb, f"{verb}not ", 1)
    return f"It is wrong that {claim[:1].lower()}{claim[1:]}"


def load_ibm_claim_stance(path: Path) -> list[StanceExample]:
    """``claim_stance.jsonl`` (or its folder) as examples; pro -> favor, con -> against."""
    if path.is_dir():
        path = path / "claim_stance.jsonl"
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            examples.append(
                StanceExample(
                    id=f"ibm-{row['claim_id']}",
                    claim=motion_to_claim(row["topic"]),
                    text=row["claim"],
                    label={"pro": "favor", "con": "against"}[row["stance"]],
                    split=row["split"],
                    group=f"ibm-topic-{row['topic_id']}",
                )
            )
    return examples


# --- in-domain set ----------------------------------------------------------------

_REQUIRED_FIELDS = ("id", "text", "label")


def validate_in_domain_rows(rows: list[dict], known_targets: set[str] | None = None, require_split: bool = True) -> list[str]:
    """Every problem in the rows, one message each (an empty list means valid).

    A row names its claim by ``target_id`` (a profile target) or gives it as ``target`` text.
    """
    problems = []
    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    required = _REQUIRED_FIELDS + (("split",) if require_split else ())
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        if not isinstance(row, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        missing = [name for name in required if not str(row.get(name, "")).strip()]
        if not str(row.get("target_id", "")).strip() and not str(row.get("target", "")).strip():
            missing.append("target_id or target")
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        where = f"row {number} ({row['id']})"
        if row["id"] in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(row["id"])
        if row["label"] not in LABELS:
            problems.append(f"{where}: label {row['label']!r} is not one of {', '.join(LABELS)}")
        if "split" in row and row["split"] not in SPLITS:
            problems.append(f"{where}: split {row['split']!r} is not one of {', '.join(SPLITS)}")
        if not str(row.get("target", "")).strip() and known_targets is not None and row["target_id"] not in known_targets:
            problems.append(f"{where}: unknown target_id {row['target_id']!r}")
        normalised = " ".join(row["text"].lower().split())
        if normalised in seen_texts:
            problems.append(f"{where}: same text as {seen_texts[normalised]}")
        seen_texts[normalised] = row["id"]
    return problems


def read_in_domain_rows(path: Path = IN_DOMAIN_PATH) -> list[dict]:
    return read_jsonl(path)


def profile_claims(profile_name: str | None = None) -> dict[str, str]:
    from newswatch.enrichment.profile import load_profile

    return {target.id: target.claim for target in load_profile(profile_name).targets}


def load_in_domain(
    path: Path = IN_DOMAIN_PATH,
    claims_by_target: dict[str, str] | None = None,
    require_split: bool = True,
) -> list[StanceExample]:
    """Labelled statements, each paired with its claim (``target`` text or the profile's target)."""
    if claims_by_target is None:
        claims_by_target = profile_claims()
    rows = read_in_domain_rows(path)
    problems = validate_in_domain_rows(rows, set(claims_by_target), require_split=require_split)
    if problems:
        raise StanceDataError(f"{path}: {len(problems)} invalid rows\n  " + "\n  ".join(problems))
    return [
        StanceExample(
            id=str(row["id"]),
            claim=row.get("target") or claims_by_target[row["target_id"]],
            text=row["text"],
            label=row["label"],
            split=row.get("split", "test"),
            group=str(row.get("target_id") or row["target"]),
        )
        for row in rows
    ]


def load_stance_dataset(path: Path, split: str = "test", profile_name: str | None = None) -> tuple[list[StanceExample], bool]:
    """Examples of one split ('all' for every row) and whether the set is pro/con only (IBM)."""
    path = Path(path)
    ibm_file = path / "claim_stance.jsonl" if path.is_dir() else path
    with ibm_file.open(encoding="utf-8") as handle:
        first = json.loads(next((line for line in handle if line.strip()), "{}"))
    polar_only = "stance" in first and "topic" in first
    if polar_only:
        examples = load_ibm_claim_stance(ibm_file)
    else:
        examples = load_in_domain(path, profile_claims(profile_name), require_split=False)
    selected = examples if split == "all" else [e for e in examples if e.split == split]
    if not selected:
        raise StanceDataError(f"{path}: no rows in split {split!r}")
    return selected, polar_only


# --- grounded statements and contrast pairs -------------------------------------


@dataclass(frozen=True)
class GroundedStatement:
    id: str
    text: str
    speaker_type: str
    form: str
    source_url: str
    labels: dict[str, str]
    split: str


def read_jsonl(path: Path) -> list[dict]:
    try:
        return read_jsonl_file(path)
    except ValueError as exc:
        raise StanceDataError(str(exc)) from exc


def load_grounded(path: Path = GROUNDED_PATH, targets: set[str] | None = None) -> list[GroundedStatement]:
    """The grounded statements; every row must label every target with one of ``MODEL_LABELS``."""
    targets = targets or set(profile_claims())
    statements, problems = [], []
    for row in read_jsonl(path):
        labels = row.get("labels") or {}
        if set(labels) != targets or any(value not in MODEL_LABELS for value in labels.values()) or row.get("split") not in SPLITS:
            problems.append(f"{row.get('id')}: labels {labels}, split {row.get('split')!r}")
            continue
        statements.append(
            GroundedStatement(
                id=row["id"], text=row["text"], speaker_type=row.get("speaker_type", "other"), form=row.get("form", "claim"),
                source_url=row["source_url"], labels=dict(labels), split=row["split"],
            )
        )
    if problems:
        raise StanceDataError(f"{path}: {len(problems)} invalid rows\n  " + "\n  ".join(problems[:20]))
    return statements


def grounded_examples(statements: list[GroundedStatement], claims_by_target: dict[str, str], split: str | None = None) -> list[StanceExample]:
    """One example per (statement, target): four-way labels, ``not_addressed`` included."""
    return [
        StanceExample(id=f"{s.id}:{target}", claim=claims_by_target[target], text=s.text, label=s.labels[target], split=s.split, group=target)
        for s in statements
        if split is None or s.split == split
        for target in claims_by_target
    ]


def load_contrast_training(paths: Sequence[Path] = CONTRAST_TRAINING_PATHS, targets: set[str] | None = None) -> list[GroundedStatement]:
    """Both members of each training minimal pair, as train-split statements labelled on every target.

    Written from train-split statements only, so no dev or test page leaks in; the frozen
    contrast set (``contrast.jsonl``) stays a test set.
    """
    targets = targets or set(profile_claims())
    statements, problems = [], []
    for row in (row for path in paths for row in read_jsonl(path)):
        for member in ("a", "b"):
            labels = (row.get(member) or {}).get("labels") or {}
            if set(labels) != targets or any(value not in MODEL_LABELS for value in labels.values()):
                problems.append(f"{row.get('pair_id')}.{member}: labels {labels}")
                continue
            statements.append(
                GroundedStatement(
                    id=f"{row['pair_id']}{member}", text=row[member]["text"], speaker_type="other", form=row.get("edit", "claim"),
                    source_url="", labels=dict(labels), split="train",
                )
            )
    if problems:
        raise StanceDataError(f"{', '.join(map(str, paths))}: {len(problems)} invalid rows\n  " + "\n  ".join(problems[:20]))
    return statements


def files_sha256(paths: Sequence[Path]) -> dict[str, str]:
    return {path.name: file_sha256(path) for path in paths}


@dataclass(frozen=True)
class ContrastPair:
    pair_id: str
    target: str
    first: tuple[str, str]  # (text, label)
    second: tuple[str, str]


def load_contrast(path: Path = CONTRAST_PATH) -> list[ContrastPair]:
    return [
        ContrastPair(row["pair_id"], row["target"], (row["a"]["text"], row["a"]["label"]), (row["b"]["text"], row["b"]["label"]))
        for row in read_jsonl(path)
    ]


# --- scoring ----------------------------------------------------------------------


def score_predictions(gold: list[str], probs: np.ndarray, polar_only: bool, threshold: float) -> dict:
    """Macro-F1, per-class F1, accuracy, coverage at the threshold and (3-way sets) ECE.

    ``probs`` columns follow ``LABELS``. For pro/con data the prediction is the larger of
    favor/against, so a 3-way model is scored on the two classes the data has.
    """
    from sklearn.metrics import f1_score

    probs = np.asarray(probs, dtype=np.float64)
    if polar_only:
        classes = POLAR_LABELS
        predicted = [POLAR_LABELS[int(i)] for i in np.argmax(probs[:, :2], axis=1)]
    else:
        classes = LABELS
        predicted = [LABELS[int(i)] for i in np.argmax(probs, axis=1)]
    per_class = f1_score(gold, predicted, labels=list(classes), average=None, zero_division=0)
    correct = np.array([g == p for g, p in zip(gold, predicted)])
    confidence = probs.max(axis=1)
    confident = confidence >= threshold
    return {
        "n": len(gold),
        "polar_only": polar_only,
        "macro_f1": round(float(np.mean(per_class)), 4),
        "per_class_f1": {label: round(float(value), 4) for label, value in zip(classes, per_class)},
        "accuracy": round(float(correct.mean()), 4),
        "threshold": threshold,
        "coverage": round(float(confident.mean()), 4),
        "confident_accuracy": round(float(correct[confident].mean()) if confident.any() else 0.0, 4),
        "ece": None if polar_only else round(expected_calibration_error(confidence, correct), 4),
    }


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(total)


def score_grounded(gold: list[str], probs: np.ndarray, addressed_threshold: float = 0.5) -> dict:
    """Four-way gold against (n, 4) probabilities over ``MODEL_LABELS``.

    Two questions, scored apart: is the target addressed (binary F1 of addressed against
    not_addressed at ``addressed_threshold``), and on the pairs that are addressed in the
    gold, which stance (macro-F1 over favor / against / neutral of the stance given that it
    is addressed, i.e. the argmax of the first three columns).
    """
    from sklearn.metrics import f1_score

    probs = np.asarray(probs, dtype=np.float64)
    gold_addressed = np.array([label != NOT_ADDRESSED for label in gold])
    predicted_addressed = (1.0 - probs[:, MODEL_LABELS.index(NOT_ADDRESSED)]) >= addressed_threshold
    stance_gold = [g for g, a in zip(gold, gold_addressed) if a]
    stance_predicted = [LABELS[int(i)] for i in np.argmax(probs[gold_addressed, : len(LABELS)], axis=1)]
    per_class = f1_score(stance_gold, stance_predicted, labels=list(LABELS), average=None, zero_division=0)
    four_way = [MODEL_LABELS[int(i)] for i in np.argmax(probs, axis=1)]
    return {
        "n": len(gold),
        "addressed": int(gold_addressed.sum()),
        "stance_macro_f1": round(float(np.mean(per_class)), 4),
        "per_class_f1": {label: round(float(value), 4) for label, value in zip(LABELS, per_class)},
        "addressed_f1": round(float(f1_score(gold_addressed, predicted_addressed, zero_division=0)), 4),
        "four_way_macro_f1": round(float(f1_score(gold, four_way, labels=list(MODEL_LABELS), average="macro", zero_division=0)), 4),
    }


def judged_label(row: np.ndarray, addressed_threshold: float = 0.5) -> str:
    """The one label a four-way probability row stands for: not_addressed, else the likeliest stance."""
    if 1.0 - row[MODEL_LABELS.index(NOT_ADDRESSED)] < addressed_threshold:
        return NOT_ADDRESSED
    return LABELS[int(np.argmax(row[: len(LABELS)]))]


def score_contrast(pairs: list[ContrastPair], probs: np.ndarray) -> dict:
    """Pair accuracy (both members right) and member accuracy; ``probs`` rows: first, second of each pair."""
    labels = [judged_label(row) for row in probs]
    member_right = [labels[2 * i] == p.first[1] for i, p in enumerate(pairs)], [labels[2 * i + 1] == p.second[1] for i, p in enumerate(pairs)]
    both = [a and b for a, b in zip(*member_right)]
    per_target: dict[str, list[bool]] = {}
    for pair, right in zip(pairs, both):
        per_target.setdefault(pair.target, []).append(right)
    return {
        "pairs": len(pairs),
        "pair_accuracy": round(float(np.mean(both)), 4) if pairs else 0.0,
        "member_accuracy": round(float(np.mean(member_right[0] + member_right[1])), 4) if pairs else 0.0,
        "per_target_pair_accuracy": {t: round(float(np.mean(v)), 4) for t, v in sorted(per_target.items())},
    }


def labelling_agreement(path: Path = DOUBLE_LABELLED_PATH) -> dict | None:
    """Cohen's kappa per target between the two independent labelling passes (None without the file)."""
    from sklearn.metrics import cohen_kappa_score

    if not Path(path).exists():
        return None
    rows = read_jsonl(path)
    targets = sorted(rows[0]["first"]) if rows else []
    return {
        "records": len(rows),
        "kappa": {t: round(float(cohen_kappa_score([r["first"][t] for r in rows], [r["second"][t] for r in rows])), 3) for t in targets},
    }
