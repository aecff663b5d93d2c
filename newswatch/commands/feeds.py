"""``newswatch sources ...``: check, convert, poll and inspect the sources catalogue."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from elasticsearch import NotFoundError

from newswatch.core.settings import Settings
from newswatch.feeds.catalogue import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    ImportDefaults,
    dump_catalogue,
    export_opml,
    import_opml,
    load_catalogue,
    merge_sources,
)
from newswatch.feeds.discovery import catalogue_diff, discover_source, proposed_source
from newswatch.feeds.poller import SourcesIndexMissing, run_poll
from newswatch.fetching.safe_fetch import Fetcher, FetchPolicy
from newswatch.indexing.connection import es_client
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames


def _validate(args: argparse.Namespace) -> int:
    try:
        sources = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    with_feeds = sum(1 for s in sources if s.feeds)
    with_sitemaps = sum(1 for s in sources if s.sitemaps and not s.feeds)
    categories = sorted({s.category for s in sources})
    print(f"{args.catalogue}: {len(sources)} sources valid ({with_feeds} with feeds, {with_sitemaps} with sitemaps, "
          f"{len(sources) - with_feeds - with_sitemaps} listing pages only; "
          f"categories: {', '.join(categories)})")
    return 0


def _export_opml(args: argparse.Namespace) -> int:
    try:
        text = export_opml(load_catalogue(args.catalogue))
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _append_to_catalogue(path: Path, additions: str) -> None:
    """Append entries as text (so the file's comments survive); roll back if the result is invalid."""
    original = path.read_text(encoding="utf-8")
    first_item = next((line for line in original.splitlines() if line.lstrip().startswith("- ")), "- ")
    indent = first_item[: len(first_item) - len(first_item.lstrip())]  # match the file's list indentation
    block = "".join(f"{indent}{line}\n" for line in additions.splitlines())
    path.write_text(original.rstrip("\n") + "\n" + block, encoding="utf-8")
    try:
        load_catalogue(path)
    except CatalogueError:
        path.write_text(original, encoding="utf-8")
        raise


def _import_opml(args: argparse.Namespace) -> int:
    defaults = ImportDefaults(category=args.category, language=args.language, poll_interval_minutes=args.poll_interval)
    try:
        imported = import_opml(Path(args.opml).read_text(encoding="utf-8"), defaults, origin=args.opml)
        if args.merge_into:
            target = Path(args.merge_into)
            _, added = merge_sources(load_catalogue(target), imported)
            if added:
                _append_to_catalogue(target, dump_catalogue(added).split("\n", 1)[1])
            print(f"{len(imported)} sources in {args.opml}; {len(added)} new ones appended to {target}")
            return 0
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    text = dump_catalogue(imported)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(imported)} sources to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _poll(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        sources = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    client = es_client(settings.es)
    with Fetcher(FetchPolicy.from_settings(Settings.from_env().fetch, args.allow)) as fetcher:
        try:
            report = run_poll(client, make_indexer(settings, client), settings.es.index_prefix, sources, fetcher, force=args.force)
        except SourcesIndexMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    for item in report.items:
        print(item.model_dump_json())
    print(report.summary(), file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    client = es_client(settings.es)
    try:
        hits = client.search(index=IndexNames(settings.es.index_prefix).alias("sources"), size=10_000, sort=[{"source_id": "asc"}])["hits"]["hits"]
    except NotFoundError:
        print("error: no sources index; run `newswatch setup` and a poll first", file=sys.stderr)
        return 1
    print(f"{'source':<32} {'polled by':<19} {'healthy':<8} {'fails':>5} {'status':>6} {'last new item (UTC)':<20} {'next poll (UTC)':<20} last error")
    for hit in hits:
        doc = hit["_source"]
        print(
            f"{doc['source_id']:<32} {doc.get('polled_by') or '-':<19} {str(doc.get('healthy')):<8} {doc.get('consecutive_failures') or 0:>5} "
            f"{doc.get('last_status') or '':>6} {(doc.get('last_new_item_at') or 'never')[:19]:<20} "
            f"{(doc.get('next_poll_at') or '')[:19]:<20} {(doc.get('last_error') or '')[:80]}"
        )
    return 0


def _discover(args: argparse.Namespace) -> int:
    try:
        sources = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    chosen = [s for s in sources if args.source_id in (None, s.id)]
    if not chosen:
        print(f"error: no source {args.source_id!r} in {args.catalogue}", file=sys.stderr)
        return 1
    proposals = {}
    with Fetcher(FetchPolicy.from_settings(Settings.from_env().fetch, args.allow)) as fetcher:
        for source in chosen:
            discovery = discover_source(fetcher, source)
            print(f"{source.id}:")
            for check in discovery.checks:
                mark = "+" if check.accepted else "-"
                print(f"  {mark} {check.kind} {check.url} ({check.how}): {check.detail}")
            if not discovery.checks:
                print("  nothing announced, no feed at the usual paths, no sitemap in robots.txt")
            proposals[source.id] = proposed_source(source, discovery)
    if args.write:
        # Printed, never written: the catalogue is the user's file, with their comments and order.
        diff = catalogue_diff(sources, [proposals.get(s.id, s) for s in sources], args.catalogue)
        print(diff or "no catalogue change proposed", end="" if diff else "\n")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    sources = commands.add_parser("sources", help="validate, convert (OPML), poll and inspect the sources catalogue")
    actions = sources.add_subparsers(dest="sources_action", required=True)

    def with_catalogue(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE), help="catalogue YAML (default config/sources.yaml)")
        return parser

    with_catalogue(actions.add_parser("validate", help="check every entry; errors name the entry and field")).set_defaults(handler=_validate)

    export = with_catalogue(actions.add_parser("export-opml", help="write the catalogue as OPML 2.0"))
    export.add_argument("-o", "--output", help="file to write (default stdout)")
    export.set_defaults(handler=_export_opml)

    imp = actions.add_parser("import-opml", help="read OPML into catalogue YAML (stdout, a file, or appended to a catalogue)")
    imp.add_argument("opml")
    target = imp.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", help="write a new catalogue file")
    target.add_argument("--merge-into", help="append sources whose id and feeds are new to this catalogue")
    imp.add_argument("--category", default=ImportDefaults.category, help="category for outlines without one")
    imp.add_argument("--language", default=ImportDefaults.language, help="language for outlines without one")
    imp.add_argument("--poll-interval", type=int, default=ImportDefaults.poll_interval_minutes, help="minutes, for outlines without one")
    imp.set_defaults(handler=_import_opml)

    poll = with_catalogue(actions.add_parser("poll", help="poll due sources once; print new feed items as JSON lines"))
    poll.add_argument("--force", action="store_true", help="poll every source, due or not")
    poll.add_argument("--allow", action="append", default=[], help="network or host exempt from the SSRF guard (repeatable)")
    poll.set_defaults(handler=_poll)

    actions.add_parser("status", help="per source: how it is polled, last new item, failures (from the sources index)").set_defaults(handler=_status)

    discover = with_catalogue(actions.add_parser("discover", help="find the feeds and sitemaps a source's site publishes"))
    discover.add_argument("source_id", nargs="?", help="one source id (default: every source)")
    discover.add_argument("--write", action="store_true", help="print the proposed catalogue change as a YAML diff (the file is not touched)")
    discover.add_argument("--allow", action="append", default=[], help="network or host exempt from the SSRF guard (repeatable)")
    discover.set_defaults(handler=_discover)
