"""``newswatch eval extraction``: the AEB benchmark, or WCXB dev pages beside trafilatura."""
from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path


def _eval_extraction(args: argparse.Namespace) -> int:
    from newswatch_lab.extraction_benchmark import (
        format_report,
        get_extractor,
        load_benchmark,
        run_benchmark,
    )

    if (args.dataset / "ground-truth").is_dir():
        return _eval_wcxb(args)
    try:
        pages = load_benchmark(args.dataset, limit=args.limit)
        run = run_benchmark(pages, get_extractor(args.extractor))
    except (OSError, EOFError, zlib.error, ValueError) as exc:  # missing or corrupt files, bad JSON, no pages
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(run, args.extractor, args.dataset))
    return 0


def _eval_wcxb(args: argparse.Namespace) -> int:
    import logging

    from newswatch_lab.wcxb import (
        format_table,
        load_wcxb,
        project_extraction,
        run_extractor,
        trafilatura_extraction,
    )

    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns per discarded page; the table says enough
    try:
        pages = load_wcxb(args.dataset, limit=args.limit)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [run_extractor("article", project_extraction, pages).row(), run_extractor("trafilatura", trafilatura_extraction, pages).row()]
    print(format_table(rows, len(pages), args.dataset))
    return 0


def register_eval(tasks: argparse._SubParsersAction) -> None:
    from newswatch_lab.extraction_benchmark import DEFAULT_DATASET, EXTRACTOR_NAMES

    extraction = tasks.add_parser("extraction", help="article-body extraction on the shared AEB benchmark, or on WCXB dev pages beside trafilatura")
    extraction.add_argument("--dataset", type=Path, default=DEFAULT_DATASET,
                            help=f"AEB folder (default {DEFAULT_DATASET}) or the WCXB dev folder (body, title, author, date; trafilatura as reference)")
    extraction.add_argument("--extractor", choices=EXTRACTOR_NAMES, default="article",
                            help="'article' is the project's extractor; the others score one library alone")
    extraction.add_argument("--limit", type=int, default=None, help="only the first N pages (a quick check)")
    extraction.set_defaults(handler=_eval_extraction)
