"""Scoring predicted quotes against gold in the quotes-synthetic JSON format.

Metric (from the shared dataset's README): predicted and gold quotes are
matched one to one by character Jaccard over their content fragments, ignoring
whitespace and quotation marks; a pair counts at Jaccard >= 0.5. Direct, mixed
and floating quotes are one group (a floating quote is a direct quote whose tag
is elsewhere), indirect quotes another: a quote only matches within its group.
On matched pairs, the speaker is right when the predicted mention overlaps a
gold source by at least one character (both empty also counts), and the
resolved name is right when the gold ``speaker_resolved`` is contained in the
predicted speaker (case-insensitive; a null gold needs a null prediction).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newswatch.core.jsonl import read_jsonl
from newswatch.quotes.marks import ALL_MARKS

MATCH_THRESHOLD = 0.5
GROUPS = {"direct": "quote", "mixed": "quote", "floating": "quote", "indirect": "indirect"}
TARGETS = {"quote_f1": 0.90, "speaker_accuracy": 0.92, "indirect_precision": 0.80}


def _chars(quote: dict, text: str) -> set[int]:
    return {
        i
        for fragment in quote["contents"]
        for i in range(fragment["start"], fragment["end"])
        if i < len(text) and not text[i].isspace() and text[i] not in ALL_MARKS
    }


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def greedy_matches(gold: list[set[int]], predicted: list[set[int]], threshold: float = MATCH_THRESHOLD) -> list[tuple[int, int]]:
    """One-to-one (gold, predicted) index pairs, best Jaccard first, each at least ``threshold``."""
    pairs = sorted(((jaccard(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)), key=lambda t: (-t[0], t[1], t[2]))
    used_gold, used_pred, matches = set(), set(), []
    for overlap, gi, pi in pairs:
        if overlap < threshold or gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        matches.append((gi, pi))
    return matches


def _overlaps(spans_a: list[dict], spans_b: list[dict]) -> bool:
    return any(a["start"] < b["end"] and b["start"] < a["end"] for a in spans_a for b in spans_b)


@dataclass
class GroupScore:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_correct: int = 0
    resolved_correct: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.matched if self.matched else 0.0

    @property
    def resolved_accuracy(self) -> float:
        return self.resolved_correct / self.matched if self.matched else 0.0


@dataclass
class QuoteEvaluation:
    groups: dict[str, GroupScore] = field(default_factory=lambda: {"quote": GroupScore(), "indirect": GroupScore()})
    negatives: int = 0
    negatives_clean: int = 0
    errors: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)

    def passes(self) -> dict[str, bool]:
        quote = self.groups["quote"]
        return {
            "quote_f1": quote.f1 >= TARGETS["quote_f1"],
            "speaker_accuracy": quote.speaker_accuracy >= TARGETS["speaker_accuracy"],
            "indirect_precision": self.groups["indirect"].precision >= TARGETS["indirect_precision"],
        }


def _speaker_right(pred: dict, gold: dict) -> tuple[bool, bool]:
    if gold["sources"]:
        mention = _overlaps(pred["sources"], gold["sources"])
    else:
        mention = not pred["sources"]
    wanted = gold.get("speaker_resolved")
    got = pred.get("speaker")
    resolved = got is None if wanted is None else (got is not None and wanted.lower() in got.lower())
    return mention, resolved


def _first_words(quote: dict, text: str) -> str:
    fragment = quote["contents"][0]
    return text[fragment["start"] : fragment["end"]][:60]


def score_record(gold_record: dict, predicted: list[dict], evaluation: QuoteEvaluation) -> None:
    text = gold_record["text"]
    if not gold_record["quotes"]:
        evaluation.negatives += 1
        if not [p for p in predicted if GROUPS.get(p["type"]) == "quote"]:
            evaluation.negatives_clean += 1
    for group, score in evaluation.groups.items():
        gold = [q for q in gold_record["quotes"] if GROUPS[q["type"]] == group]
        pred = [q for q in predicted if GROUPS.get(q["type"]) == group]
        score.gold += len(gold)
        score.predicted += len(pred)
        matches = greedy_matches([_chars(g, text) for g in gold], [_chars(p, text) for p in pred])
        used_gold, used_pred = {gi for gi, _ in matches}, {pi for _, pi in matches}
        for gi, pi in matches:
            score.matched += 1
            mention, resolved = _speaker_right(pred[pi], gold[gi])
            score.speaker_correct += mention
            score.resolved_correct += resolved
            if not (mention and resolved):
                got = _first_words({"contents": pred[pi]["sources"]}, text) if pred[pi]["sources"] else None
                evaluation.mistakes.append(f"{gold_record['id']}: speaker {got!r} -> {pred[pi].get('speaker')!r}, gold {[s['text'] for s in gold[gi]['sources']]} -> {gold[gi].get('speaker_resolved')!r}")
        for gi, g in enumerate(gold):
            if gi not in used_gold:
                evaluation.mistakes.append(f"{gold_record['id']}: missed {group} {_first_words(g, text)!r}")
        for pi, p in enumerate(pred):
            if pi not in used_pred:
                evaluation.mistakes.append(f"{gold_record['id']}: extra {group} {_first_words(p, text)!r}")


def load_dataset(path: Path) -> list[dict]:
    return read_jsonl(path)


def evaluate(records: Iterable[dict], predict: Callable[[dict], dict]) -> QuoteEvaluation:
    """``predict`` maps a gold record to a CLI output record ({"quotes": [...]} or {"error": ...})."""
    evaluation = QuoteEvaluation()
    for record in records:
        output = predict(record)
        if "error" in output:
            evaluation.errors.append(f"{record['id']}: {output['error']['message']}")
        score_record(record, output.get("quotes", []), evaluation)
    return evaluation


def format_report(evaluation: QuoteEvaluation, name: str) -> str:
    quote, indirect = evaluation.groups["quote"], evaluation.groups["indirect"]
    passes = evaluation.passes()
    mark = lambda ok: "ok" if ok else "BELOW TARGET"  # noqa: E731
    lines = [
        f"quote extraction on {name}",
        f"{'measure':32} {'value':>7}  target",
        f"{'direct+mixed gold / predicted':32} {quote.gold:>3} / {quote.predicted:<3}",
        f"{'direct+mixed precision':32} {quote.precision:7.3f}",
        f"{'direct+mixed recall':32} {quote.recall:7.3f}",
        f"{'direct+mixed F1':32} {quote.f1:7.3f}  >= {TARGETS['quote_f1']:.2f} {mark(passes['quote_f1'])}",
        f"{'speaker accuracy (mention)':32} {quote.speaker_accuracy:7.3f}  >= {TARGETS['speaker_accuracy']:.2f} {mark(passes['speaker_accuracy'])}",
        f"{'resolved-name accuracy':32} {quote.resolved_accuracy:7.3f}",
        f"{'indirect gold / predicted':32} {indirect.gold:>3} / {indirect.predicted:<3}",
        f"{'indirect precision':32} {indirect.precision:7.3f}  >= {TARGETS['indirect_precision']:.2f} {mark(passes['indirect_precision'])}",
        f"{'indirect recall':32} {indirect.recall:7.3f}",
        f"{'indirect speaker accuracy':32} {indirect.speaker_accuracy:7.3f}",
        f"{'negative texts clean':32} {evaluation.negatives_clean:>3} / {evaluation.negatives}",
        f"{'items with errors':32} {len(evaluation.errors):>3}",
    ]
    return "\n".join(lines)
