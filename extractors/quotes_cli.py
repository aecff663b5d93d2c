"""``newswatch quotes`` (JSON lines in, JSON lines out) and ``newswatch eval quotes``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from extractors.quotes_eval import evaluate, format_report, load_dataset
from newswatch.jsonl import LineError, error_record, exit_code, json_lines, write_record


def process_lines(lines: TextIO, out: TextIO) -> tuple[int, int]:
    """One output line per non-blank input line; returns (items, items with errors)."""
    from extractors.quotes import extract_item  # spaCy: loaded only by the commands that need it

    items = errors = 0
    for _, item in json_lines(lines):
        items += 1
        if isinstance(item, LineError):
            result = {**item.record(), "quotes": []}
        else:
            try:
                result = extract_item(item)
            except Exception as exc:  # noqa: BLE001 - one bad item must never stop the batch
                result = {**error_record(item.get("id"), type(exc).__name__, str(exc) or repr(exc)), "quotes": []}
        errors += "error" in result
        write_record(out, result)
    return items, errors


def _quotes(args: argparse.Namespace) -> int:
    items, errors = process_lines(sys.stdin, sys.stdout)
    print(f"{items} items, {errors} with errors", file=sys.stderr)
    return exit_code(errors)


def _eval_quotes(args: argparse.Namespace) -> int:
    from extractors.quotes import extract_item

    path = Path(args.dataset)
    if path.is_dir():
        return _eval_polnear(path, args.split)
    if not path.exists():
        print(f"error: dataset {path} not found", file=sys.stderr)
        return 2
    evaluation = evaluate(load_dataset(path), lambda record: extract_item({"id": record["id"], "text": record["text"]}))
    print(format_report(evaluation, path.name))
    if args.show_mistakes:
        print("\n".join(evaluation.mistakes + evaluation.errors))
    return 0 if all(evaluation.passes().values()) else 1


def _eval_polnear(directory: Path, split: str) -> int:
    from extractors.polnear import evaluate as evaluate_polnear, format_table, load_split
    from extractors.quotes import extract_quotes

    try:
        documents = load_split(directory, split)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = evaluate_polnear(documents, lambda text: extract_quotes(text, language="en"))
    print(format_table(results, len(documents), split))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    quotes = commands.add_parser("quotes", help="extract quotes and speakers: JSON lines {id, text} on stdin -> {id, quotes} on stdout")
    quotes.set_defaults(handler=_quotes)


def register_eval(tasks: argparse._SubParsersAction) -> None:
    task = tasks.add_parser("quotes", help="score quote extraction against a gold JSON-lines set")
    task.add_argument("--dataset", required=True, help="JSON lines in the quotes-synthetic format, or the PolNeAR folder (brat files)")
    task.add_argument("--split", default="dev", choices=("train", "dev"), help="PolNeAR split (default dev)")
    task.add_argument("--show-mistakes", action="store_true", help="list missed, extra and mis-attributed quotes")
    task.set_defaults(handler=_eval_quotes)
