"""``newswatch quotes``: JSON lines ``{"id", "text"[, "language"]}`` in, ``{"id", "quotes"}`` out."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from newswatch.commands.json_lines import (
    ItemRejected,
    failure_record,
    one_at_a_time,
    run_json_lines,
)
from newswatch.core.jsonl import exit_code
from newswatch.core.model import Quote


def quote_to_json(quote: Quote) -> dict:
    """One quote in the command-line / evaluation JSON format."""
    return {
        "type": quote.kind,
        "contents": [c.model_dump() for c in quote.contents],
        "sources": [quote.source_mention.model_dump()] if quote.source_mention else [],
        "cue": quote.cue.model_dump() if quote.cue else None,
        "speaker": quote.speaker,
        "speaker_type": quote.speaker_type,
        "organization": quote.organization,
        "role": quote.role,
        "speech_act": quote.speech_act,
    }


def quotes_record(item: dict) -> dict:
    """The output record of one input object; raises for a refused item."""
    from newswatch.quotes.extraction import (
        extract_quotes,  # spaCy: loaded only by the commands that need it
    )

    if not isinstance(item.get("text"), str):
        raise ItemRejected("'text' must be a string")
    return {"id": item.get("id"), "quotes": [quote_to_json(q) for q in extract_quotes(item["text"], language=item.get("language"))]}


def extract_item(item: dict) -> dict:
    """One record in, one out: the quotes, or the error record the command would print."""
    try:
        return quotes_record(item)
    except Exception as exc:  # noqa: BLE001 - reported in the record, as the command does
        return failure_record(item, exc)


def process_lines(lines: TextIO, out: TextIO) -> tuple[int, int]:
    """One output line per non-blank input line; returns (items, items with errors)."""
    return run_json_lines(lines, out, one_at_a_time(lambda item: [quotes_record(item)]))


def _quotes(args: argparse.Namespace) -> int:
    items, errors = process_lines(sys.stdin, sys.stdout)
    print(f"{items} items, {errors} with errors", file=sys.stderr)
    return exit_code(errors)


def register(commands: argparse._SubParsersAction) -> None:
    quotes = commands.add_parser("quotes", help="extract quotes and speakers: JSON lines {id, text} on stdin -> {id, quotes} on stdout")
    quotes.set_defaults(handler=_quotes)
