"""`newswatch correct stance|speaker` and `newswatch corrections list|export`: analysts fix the machine."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path


def _client_and_prefix():
    from newswatch.core.settings import Settings
    from newswatch.indexing.connection import es_client

    settings = Settings.from_env()
    return es_client(settings.es), settings.es.index_prefix


def _print_correction(correction: dict) -> None:
    if correction["kind"] == "stance":
        change = f"{correction['target_id']}: {correction['model_label']} -> {correction['label']}"
    else:
        change = f"speaker: {correction['model_speaker']} ({correction['model_organization'] or '-'}) -> " \
                 f"{correction['speaker']} ({correction['organization'] or '-'})"
    print(f"{correction['@timestamp'][:19]}  {correction['editor']}  {correction['index'][:-1]} {correction['doc_id']}  {change}")


def _correct(args: argparse.Namespace) -> int:
    from newswatch.enrichment.profile import load_profile
    from newswatch.indexing.corrections import (
        CorrectionError,
        correct_speaker,
        correct_stance,
    )

    client, prefix = _client_and_prefix()
    try:
        if args.what == "stance":
            correction = correct_stance(client, prefix, args.id, args.target, args.label, args.editor,
                                        load_profile().target_ids, args.reason)
        else:
            correction = correct_speaker(client, prefix, args.id, args.speaker, args.org, args.editor, args.reason)
    except CorrectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_correction(correction)
    return 0


def _list(args: argparse.Namespace) -> int:
    from newswatch.indexing.corrections import all_corrections

    client, prefix = _client_and_prefix()
    for correction in all_corrections(client, prefix):
        _print_correction(correction)
    return 0


def _export(args: argparse.Namespace) -> int:
    from newswatch.indexing.corrections import all_corrections, training_records

    client, prefix = _client_and_prefix()
    records = training_records(all_corrections(client, prefix))
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    if args.out:
        Path(args.out).write_text(lines, encoding="utf-8")
        print(f"{len(records)} corrections written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    correct = commands.add_parser("correct", help="correct a stance label or a speaker everywhere it is shown")
    what = correct.add_subparsers(dest="what", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--editor", default=getpass.getuser(), help="who corrects (default: the login name)")
    common.add_argument("--reason", default=None, help="why, for the log")
    stance = what.add_parser("stance", parents=[common], help="the stance of an article or quote toward one target")
    stance.add_argument("id", help="article or quote id (the id of a search result)")
    stance.add_argument("--target", required=True, help="stance target id, e.g. consent")
    stance.add_argument("--label", required=True, choices=["favor", "against", "neutral", "not_addressed"])
    speaker = what.add_parser("speaker", parents=[common], help="the speaker (and organisation) of a quote")
    speaker.add_argument("id", help="quote id")
    speaker.add_argument("--speaker", required=True)
    speaker.add_argument("--org", default=None, help="the speaker's organisation")
    correct.set_defaults(handler=_correct)

    corrections = commands.add_parser("corrections", help="list corrections, or export them as training data")
    actions = corrections.add_subparsers(dest="corrections_action", required=True)
    actions.add_parser("list", help="every correction: when, who, what changed").set_defaults(handler=_list)
    export = actions.add_parser("export", help="the latest correction per item as JSON lines for the stance and quote models")
    export.add_argument("--out", default=None, help="file to write (default: standard output)")
    export.set_defaults(handler=_export)
