"""The ``newswatch`` command line.

Each stage package contributes its own subcommands through a ``register``
function (listed in COMMAND_MODULES), so this file only dispatches.
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

from newswatch import es_node
from newswatch.secrets import redact
from newswatch.settings import ES_VERSION, Settings

# Command groups whose tasks come from several stage packages: (name, help, hook, modules).
COMMAND_GROUPS = [
    ("eval", "evaluate a stage against a labelled dataset and print scores", "register_eval", [
        "extractors.cli",
        "extractors.dedup_eval",
        "extractors.quotes_cli",
        "enrichment.cli",
        "enrichment.stance_cli",
    ]),
    ("bench", "run a benchmark and print a table", "register_bench", [
        "newswatch.pipeline_bench",
        "enrichment.cli",
    ]),
]

COMMAND_MODULES = [
    "indexing.cli",
    "extractors.quotes_cli",
    "digest.cli",
    "extractors.cli",
    "feeds.cli",
    "newswatch.demo",
    "terms.cli",
    "query_api.cli",
    "enrichment.cli",
    "enrichment.stance_cli",
]


def _es_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.managed_es and args.action != "status":
        print(f"ES_URL is set ({redact(settings.es_url)}); not managing a local node", file=sys.stderr)
        return 2
    if args.action == "start":
        layout = es_node.start(settings, port=args.port)
        print(f"Elasticsearch {ES_VERSION} running at {layout.url} (pid {es_node.read_pid(layout)})")
    elif args.action == "stop":
        stopped = es_node.stop(settings, port=args.port)
        print("stopped" if stopped else "not running")
    elif args.action == "fetch":
        print(es_node.ensure_distribution(settings))
    else:
        if settings.managed_es:
            print(json.dumps(es_node.status(settings, port=args.port), indent=2))
        else:
            print(json.dumps({"url": redact(settings.es_url), "health": es_node.health(settings.es_url)}, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswatch", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    es = commands.add_parser("es", help="fetch, start, stop or inspect the local Elasticsearch node")
    es.add_argument("action", choices=["fetch", "start", "stop", "status"])
    es.add_argument("--port", type=int, default=None, help="HTTP port (default NEWSWATCH_ES_PORT or 9200)")
    es.set_defaults(handler=_es_command)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    for name, help_text, hook, module_names in COMMAND_GROUPS:
        tasks = commands.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_task", required=True)
        for module_name in module_names:
            getattr(importlib.import_module(module_name), hook)(tasks)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        # The client logs every retried node at WARNING; the one error line below says it all.
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    try:
        return args.handler(args)
    except es_node.NodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - services that fail get one clear line, never a traceback
        message = service_error(exc)
        if message is None or args.verbose:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


def service_error(exc: BaseException) -> str | None:
    """One line for an unreachable or refusing service (Elasticsearch, SMTP), or None for a bug."""
    import smtplib

    from elasticsearch import ApiError, NotFoundError, TransportError

    settings = Settings.from_env()
    where = redact(settings.effective_es_url)
    if isinstance(exc, NotFoundError):
        return f"Elasticsearch at {where} has no such index (is NEWSWATCH_INDEX_PREFIX={settings.index_prefix!r} right? run: newswatch setup)"
    if isinstance(exc, TransportError):
        return f"Elasticsearch at {where} is unreachable ({type(exc).__name__}); start it with: newswatch es start"
    if isinstance(exc, ApiError):
        return f"Elasticsearch at {where} refused the request: {exc.message}"
    if isinstance(exc, (smtplib.SMTPException, ConnectionRefusedError)):
        return f"the mail server refused or could not be reached: {exc}"
    return None


if __name__ == "__main__":
    sys.exit(main())
