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


def register(commands: argparse._SubParsersAction) -> None:
    extract = commands.add_parser("extract", help="extract article text and metadata from a saved HTML page, as JSON")
    extract.add_argument("page", type=Path, metavar="PAGE.html", help="HTML file (may be gzip-compressed)")
    extract.add_argument("--url", default=None, help="the URL the page was fetched from (resolves relative links)")
    extract.set_defaults(handler=_extract)
