"""``newswatch extract PAGE.html`` and ``newswatch eval extraction``.

Extraction libraries are imported inside the handlers so that other
subcommands (and ``--help``) don't pay for loading them.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import zlib
from pathlib import Path


# The fetcher's own cap on a decompressed page: a saved file gets no more room than a fetched one.
MAX_PAGE_BYTES = 20 * 1024 * 1024


class PageTooLarge(ValueError):
    """A page (after decompression) over ``MAX_PAGE_BYTES``."""


def read_html_file(path: Path, limit: int = MAX_PAGE_BYTES) -> str:
    """A saved page as text: gzip is undone (never past ``limit`` bytes); UTF-8 first, else the detected charset."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise PageTooLarge(f"{path} holds more than {limit} bytes of HTML (a decompression bomb?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        import charset_normalizer  # only for the rare non-UTF-8 file

        best = charset_normalizer.from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def _extract(args: argparse.Namespace) -> int:
    from extractors.article import ExtractionError, extract_article

    try:
        html = read_html_file(args.page)
    except (OSError, EOFError, zlib.error, PageTooLarge) as exc:  # unreadable file, corrupt gzip, a bomb
        print(f"error: cannot read {args.page}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    try:
        article = extract_article(html, url=args.url)
    except ExtractionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(article.to_json_dict(), ensure_ascii=False, indent=2))
    return 0


def _eval_extraction(args: argparse.Namespace) -> int:
    from extractors.benchmark import format_report, get_extractor, load_benchmark, run_benchmark

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

    from extractors.wcxb import format_table, load_wcxb, project_extraction, run_extractor, trafilatura_extraction

    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns per discarded page; the table says enough
    try:
        pages = load_wcxb(args.dataset, limit=args.limit)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [run_extractor("article", project_extraction, pages).row(), run_extractor("trafilatura", trafilatura_extraction, pages).row()]
    print(format_table(rows, len(pages), args.dataset))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    extract = commands.add_parser("extract", help="extract article text and metadata from a saved HTML page, as JSON")
    extract.add_argument("page", type=Path, metavar="PAGE.html", help="HTML file (may be gzip-compressed)")
    extract.add_argument("--url", default=None, help="the URL the page was fetched from (resolves relative links)")
    extract.set_defaults(handler=_extract)


def register_eval(tasks: argparse._SubParsersAction) -> None:
    from extractors.benchmark import DEFAULT_DATASET, EXTRACTOR_NAMES

    extraction = tasks.add_parser("extraction", help="article-body extraction on the shared AEB benchmark, or on WCXB dev pages beside trafilatura")
    extraction.add_argument("--dataset", type=Path, default=DEFAULT_DATASET,
                            help=f"AEB folder (default {DEFAULT_DATASET}) or the WCXB dev folder (body, title, author, date; trafilatura as reference)")
    extraction.add_argument("--extractor", choices=EXTRACTOR_NAMES, default="article",
                            help="'article' is the project's extractor; the others score one library alone")
    extraction.add_argument("--limit", type=int, default=None, help="only the first N pages (a quick check)")
    extraction.set_defaults(handler=_eval_extraction)
