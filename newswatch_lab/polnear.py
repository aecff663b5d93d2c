"""Quotes on real news: the PolNeAR train and dev splits (brat standoff), scored as the dataset's README says.

- gold direct+mixed: attributions whose content contains a double quotation mark; predicted:
  quotes typed ``direct`` or ``mixed``, each one's content spans as one span set and its first
  speaker span as the source;
- one-to-one greedy matching by the Jaccard similarity of character sets (content spans,
  whitespace and quotation marks left out) of at least 0.5: precision, recall, F1;
- speaker accuracy: over matched quotes, the share whose speaker span shares a character with
  the gold source; end-to-end F1: matched and speaker right.

A second row scores every attribution (indirect included) against every predicted quote.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch.core.model import Quote
from newswatch_lab.quotes_eval import GroupScore, greedy_matches

DOUBLE_QUOTES = frozenset("\u201c\u201d\"\u00ab\u00bb")
_SPAN_LINE = re.compile(r"^(T\d+)\t(\w+) ([\d ;]+)\t")


@dataclass(frozen=True)
class Attribution:
    content: tuple[tuple[int, int], ...]
    source: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    attributions: list[Attribution]


def parse_brat(annotation: str) -> list[Attribution]:
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    events = []
    for line in annotation.splitlines():
        if match := _SPAN_LINE.match(line):
            ranges = tuple(tuple(int(x) for x in part.split()) for part in match[3].split(";"))
            spans[match[1]] = ranges  # type: ignore[assignment]
        elif line.startswith("E"):
            events.append(dict(role.split(":", 1) for role in line.split("\t", 1)[1].split()))
    attributions = []
    for roles in events:
        content = tuple(r for role, ref in roles.items() if role.startswith("Content") for r in spans.get(ref, ()))
        source = tuple(r for role, ref in roles.items() if role.startswith("Source") for r in spans.get(ref, ()))
        if content:
            attributions.append(Attribution(content, source))
    return attributions


def load_split(directory: Path, split: str) -> list[Document]:
    base = directory / split
    if not (base / "text").is_dir():
        raise FileNotFoundError(f"no {split}/text in {directory}: not the PolNeAR folder")
    annotations: dict[str, Path] = {}
    for path in sorted((base / "attributions").glob("*.ann")):
        annotations.setdefault(path.stem.rsplit("_", 1)[0], path)
    documents = []
    for text_path in sorted((base / "text").glob("*.txt")):
        annotation = annotations.get(text_path.stem)
        if annotation is not None:
            documents.append(Document(text_path.stem, text_path.read_text(encoding="utf-8"), parse_brat(annotation.read_text(encoding="utf-8"))))
    return documents


def characters(text: str, ranges) -> set[int]:
    return set(i for start, end in ranges for i in range(start, min(end, len(text))) if not text[i].isspace() and text[i] not in DOUBLE_QUOTES)


def is_direct(text: str, attribution: Attribution) -> bool:
    return any(ch in DOUBLE_QUOTES for start, end in attribution.content for ch in text[start:end])


def row(score: GroupScore) -> dict:
    """The table's figures; end-to-end counts a quote only when matched with the right speaker."""
    end_p = score.speaker_correct / score.predicted if score.predicted else 0.0
    end_r = score.speaker_correct / score.gold if score.gold else 0.0
    return {
        "gold": score.gold, "predicted": score.predicted, "precision": round(score.precision, 4), "recall": round(score.recall, 4),
        "f1": round(score.f1, 4), "speaker_accuracy": round(score.speaker_accuracy, 4),
        "end_to_end_f1": round(2 * end_p * end_r / (end_p + end_r), 4) if score.speaker_correct else 0.0,
    }


def score_document(score: GroupScore, text: str, gold: list[Attribution], predicted: list[Quote]) -> None:
    score.gold += len(gold)
    score.predicted += len(predicted)
    matches = greedy_matches(
        [characters(text, g.content) for g in gold],
        [characters(text, [(s.start, s.end) for s in q.contents]) for q in predicted],
    )
    for g, p in matches:
        score.matched += 1
        mention = predicted[p].source_mention
        if mention is not None and characters(text, [(mention.start, mention.end)]) & characters(text, gold[g].source):
            score.speaker_correct += 1


def evaluate(documents: list[Document], extract: Callable[[str], list[Quote]]) -> dict[str, dict]:
    """{'direct+mixed': row, 'all attributions': row} over ``documents``."""
    direct, everything = GroupScore(), GroupScore()
    for document in documents:
        quotes = extract(document.text)
        score_document(direct, document.text, [a for a in document.attributions if is_direct(document.text, a)], [q for q in quotes if q.kind in ("direct", "mixed")])
        score_document(everything, document.text, document.attributions, quotes)
    return {"direct+mixed": row(direct), "all attributions": row(everything)}


def format_table(results: dict[str, dict], documents: int, split: str) -> str:
    lines = [
        f"PolNeAR {split}: {documents} articles (overlap50 matching; speaker = shares a character with the gold source)",
        f"{'attributions':<18} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6} {'speaker':>8} {'end-to-end F1':>14}",
    ]
    for name, row in results.items():
        lines.append(
            f"{name:<18} {row['gold']:>5} {row['predicted']:>5} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
            f"{row['speaker_accuracy']:>8.3f} {row['end_to_end_f1']:>14.3f}"
        )
    return "\n".join(lines)
