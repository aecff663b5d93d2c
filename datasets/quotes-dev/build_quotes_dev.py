"""Build quotes-dev.jsonl from passages.py, turning substrings into checked offsets.

Run: python datasets/quotes-dev/build_quotes_dev.py [--show]
``--show`` prints every passage with its annotations marked, for review.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from passages import PASSAGES  # noqa: E402


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of ``needle`` in ``text``, not inside a longer word."""
    pattern = re.escape(needle)
    if needle[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if needle[-1].isalnum():
        pattern = pattern + r"(?!\w)"
    return [m.start() for m in re.finditer(pattern, text)]


def _gap(start: int, end: int, anchor: tuple[int, int]) -> int:
    """Characters between two intervals (0 when they touch or overlap)."""
    return max(anchor[0] - end, start - anchor[1], 0)


def _span(text: str, spec, anchor: tuple[int, int] | None) -> dict:
    needle, nth = (spec if isinstance(spec, tuple) else (spec, None))
    starts = _occurrences(text, needle)
    if not starts:
        raise ValueError(f"{needle!r} not found")
    if nth is not None:
        start = starts[nth]
    elif anchor is None or len(starts) == 1:
        if len(starts) > 1:
            raise ValueError(f"{needle!r} is ambiguous and has no anchor")
        start = starts[0]
    else:
        start = min(starts, key=lambda s: _gap(s, s + len(needle), anchor))
    span = {"start": start, "end": start + len(needle), "text": needle}
    assert text[span["start"] : span["end"]] == span["text"]
    return span


def build_record(passage_id: str, text: str, quotes: list[dict]) -> dict:
    built = []
    for quote in quotes:
        contents = []
        for spec in quote["contents"]:
            previous = (contents[-1]["end"], contents[-1]["end"]) if contents else None
            contents.append(_span(text, spec, previous))
        anchor = (contents[0]["start"], contents[0]["end"])
        sources = [_span(text, spec, anchor) for spec in quote["sources"]]
        cue_anchor = (sources[0]["start"], sources[0]["end"]) if sources else anchor
        cue = _span(text, quote["cue"], cue_anchor) if quote["cue"] else None
        built.append({"type": quote["type"], "contents": contents, "sources": sources, "cue": cue,
                      "speaker_resolved": quote["speaker_resolved"]})
    return {"id": passage_id, "text": text, "quotes": built}


def render(record: dict) -> str:
    lines = [f"=== {record['id']}", record["text"]]
    for quote in record["quotes"]:
        frags = " | ".join(f"[{c['start']}:{c['end']}] {c['text'][:50]}" for c in quote["contents"])
        src = "; ".join(f"[{s['start']}] {s['text']}" for s in quote["sources"])
        cue = f"[{quote['cue']['start']}] {quote['cue']['text']}" if quote["cue"] else "-"
        lines.append(f"  {quote['type']}: {frags}\n     source={src} cue={cue} -> {quote['speaker_resolved']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    ids = [p[0] for p in PASSAGES]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate passage ids")
    records = [build_record(*passage) for passage in PASSAGES]
    with open(HERE / "quotes-dev.jsonl", "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.show:
        print("\n\n".join(render(r) for r in records))
    n_quotes = sum(len(r["quotes"]) for r in records)
    print(f"wrote {len(records)} passages, {n_quotes} quotes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
