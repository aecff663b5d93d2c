"""``newswatch terms check|list|diff``."""
from __future__ import annotations

import argparse
import json

from newswatch.core.settings import Settings
from newswatch.indexing.connection import es_client
from newswatch.terms.compare import diff_texts
from newswatch.terms.watch import get_version, list_versions


def _check(args: argparse.Namespace) -> int:
    from newswatch.pipeline import check_terms

    print(json.dumps(check_terms(Settings.from_env()), indent=2))
    return 0


def format_versions(versions: list[dict]) -> str:
    """One line per stored version: which document, which version, since when, and whether AI terms changed."""
    if not versions:
        return "no stored versions (run: newswatch terms check)"
    lines = [f"{'platform/document':<34} {'version':>7}  {'changed at':<20}  AI change"]
    for v in versions:
        changed = (v.get("changed_at") or v.get("fetched_at") or "")[:19]
        ai = ", ".join(v.get("ai_change_kinds") or []) or ("yes" if v.get("ai_related") else "-")
        lines.append(f"{v['platform'] + '/' + v['document']:<34} {v['version']:>7}  {changed:<20}  {ai}")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    print(format_versions(list_versions(es_client(settings.es), settings.es.index_prefix, args.platform)))
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
    listing = actions.add_parser("list", help="the watched documents' stored versions (for terms diff)")
    listing.add_argument("platform", nargs="?", default=None, help="only this platform")
    listing.set_defaults(handler=_list)
    diff = actions.add_parser("diff", help="print the diff between two stored versions (see terms list)")
    diff.add_argument("platform")
    diff.add_argument("document")
    diff.add_argument("--from", dest="from_version", type=int, required=True)
    diff.add_argument("--to", dest="to_version", type=int, required=True)
    diff.set_defaults(handler=_diff)
