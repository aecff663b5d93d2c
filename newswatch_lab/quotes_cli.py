"""``newswatch eval quotes``: a gold JSON-lines set, or PolNeAR (brat files)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newswatch_lab.quotes_eval import evaluate, format_report, load_dataset


def _eval_quotes(args: argparse.Namespace) -> int:
    from newswatch.commands.quotes import extract_item

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
    from newswatch.quotes.extraction import extract_quotes
    from newswatch_lab.polnear import evaluate as evaluate_polnear
    from newswatch_lab.polnear import format_table, load_split

    try:
        documents = load_split(directory, split)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = evaluate_polnear(documents, lambda text: extract_quotes(text, language="en"))
    print(format_table(results, len(documents), split))
    return 0


def register_eval(tasks: argparse._SubParsersAction) -> None:
    task = tasks.add_parser("quotes", help="score quote extraction against a gold JSON-lines set")
    task.add_argument("--dataset", required=True, help="JSON lines in the quotes-synthetic format, or the PolNeAR folder (brat files)")
    task.add_argument("--split", default="dev", choices=("train", "dev"), help="PolNeAR split (default dev)")
    task.add_argument("--show-mistakes", action="store_true", help="list missed, extra and mis-attributed quotes")
    task.set_defaults(handler=_eval_quotes)
