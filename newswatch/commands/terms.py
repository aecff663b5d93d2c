"""``newswatch terms check|diff``."""
from __future__ import annotations

import argparse
import json

from newswatch.core.settings import Settings
from newswatch.indexing.connection import es_client
from newswatch.terms.compare import diff_texts
from newswatch.terms.watch import get_version


def _check(args: argparse.Namespace) -> int:
    from newswatch.pipeline import check_terms

    print(json.dumps(check_terms(Settings.from_env()), indent=2))
    return 0


def _diff(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    client = es_client(settings.es)
    try:
        old = get_version(client, settings.es.index_prefix, args.platform, args.document, args.from_version)
        new = get_version(client, settings.es.index_prefix, args.platform, args.document, args.to_version)
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
