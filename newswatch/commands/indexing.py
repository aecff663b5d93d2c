"""Subcommands of the index stage: setup and Kibana saved objects."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newswatch.core.settings import Settings
from newswatch.indexing import kibana
from newswatch.indexing.connection import es_client
from newswatch.indexing.schema import setup_indices


def _setup(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    report = setup_indices(es_client(settings.es), settings.es.index_prefix, settings.es.replicas)
    if report.changed:
        for change in report.changes:
            print(change)
    else:
        print("indices up to date: nothing changed")
    return 0


def _kibana_export(args: argparse.Namespace) -> int:
    prefix = Settings.from_env().es.index_prefix
    ndjson = kibana.export_ndjson(prefix)
    if args.out is None:
        sys.stdout.write(ndjson)
        return 0
    Path(args.out).write_text(ndjson, encoding="utf-8")
    print(f"{ndjson.count(chr(10))} saved objects for the prefix {prefix!r} written to {args.out}")
    return 0


def _kibana_import(args: argparse.Namespace) -> int:
    prefix = Settings.from_env().es.index_prefix
    try:
        result = kibana.import_saved_objects(args.url, prefix, api_key=args.api_key, overwrite=True)
    except kibana.KibanaImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0 if result.get("success") else 1


def register(commands: argparse._SubParsersAction) -> None:
    setup = commands.add_parser("setup", help="install or upgrade index templates, indices and aliases (idempotent)")
    setup.set_defaults(handler=_setup)

    kib = commands.add_parser("kibana", help="Kibana saved objects")
    kib_actions = kib.add_subparsers(dest="kibana_action", required=True)
    export = kib_actions.add_parser(
        "export", help="write the saved objects for NEWSWATCH_INDEX_PREFIX as NDJSON (Kibana's import format)")
    export.add_argument("--out", default=None, help="file to write (default: standard output)")
    export.set_defaults(handler=_kibana_export)
    imp = kib_actions.add_parser(
        "import", help="generate the saved objects for NEWSWATCH_INDEX_PREFIX and post them to Kibana's import API")
    imp.add_argument("--url", required=True, help="Kibana base URL, e.g. http://localhost:5601")
    imp.add_argument("--api-key", default=None)
    imp.set_defaults(handler=_kibana_import)
