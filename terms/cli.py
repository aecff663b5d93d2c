"""``newswatch terms check|diff``."""
from __future__ import annotations

import argparse
import json
import os

from indexing.connection import es_client
from newswatch.settings import Settings
from terms.catalogue import DEFAULT_TERMS_CATALOGUE, load_terms_catalogue
from terms.compare import diff_texts
from terms.watch import get_version


def terms_catalogue_path() -> str:
    return os.environ.get("NEWSWATCH_TERMS_FILE", str(DEFAULT_TERMS_CATALOGUE))


def run_terms_check(settings: Settings, run_id: str | None = None) -> dict:
    from newswatch.pipeline import make_fetcher
    from newswatch.runtime import make_indexer
    from terms.watch import check_documents

    client = es_client(settings)
    with make_fetcher() as fetcher:
        report = check_documents(
            fetcher, client, make_indexer(settings, client, run_id), settings.index_prefix,
            load_terms_catalogue(terms_catalogue_path()), run_id,
        )
    return report.counts()


def _check(args: argparse.Namespace) -> int:
    print(json.dumps(run_terms_check(Settings.from_env()), indent=2))
    return 0


def _diff(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    client = es_client(settings)
    try:
        old = get_version(client, settings.index_prefix, args.platform, args.document, args.from_version)
        new = get_version(client, settings.index_prefix, args.platform, args.document, args.to_version)
    except LookupError as exc:
        print(f"error: {exc}")
        return 1
    diff = diff_texts(old["text"], new["text"], f"v{args.from_version}", f"v{args.to_version}")
    print(diff.unified or "no differences (beyond ignored noise such as dates)")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    terms = commands.add_parser("terms", help="terms-of-service and policy watch")
    actions = terms.add_subparsers(dest="terms_action", required=True)
    check = actions.add_parser("check", help="fetch every watched document and store changed versions")
    check.set_defaults(handler=_check)
    diff = actions.add_parser("diff", help="print the diff between two stored versions")
    diff.add_argument("platform")
    diff.add_argument("document")
    diff.add_argument("--from", dest="from_version", type=int, required=True)
    diff.add_argument("--to", dest="to_version", type=int, required=True)
    diff.set_defaults(handler=_diff)
