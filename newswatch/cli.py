"""The ``newswatch`` command line.

Each runtime command module (``newswatch.commands``, listed in COMMAND_MODULES)
adds its subcommands through a ``register`` function, so this file only dispatches.
Offline tools (``demo``, ``eval``, ``bench``) come from the lab through the
``newswatch.commands`` entry point: the runtime never imports the lab.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import logging
import sys

from newswatch import es_node
from newswatch.core.secrets import redact
from newswatch.core.settings import ES_VERSION, Settings

PLUGIN_GROUP = "newswatch.commands"

COMMAND_MODULES = [
    "newswatch.commands.indexing",
    "newswatch.commands.search",
    "newswatch.commands.corrections",
    "newswatch.commands.quotes",
    "newswatch.commands.digest",
    "newswatch.commands.extract",
    "newswatch.commands.feeds",
    "newswatch.commands.terms",
    "newswatch.commands.api",
    "newswatch.commands.enrichment",
    "newswatch.commands.stance",
]


def _es_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.es.managed and args.action != "status":
        print(f"a cluster is configured ({redact(settings.es.location)}); not managing a local node", file=sys.stderr)
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
        if settings.es.managed:
            print(json.dumps(es_node.status(settings, port=args.port), indent=2))
        elif settings.es.cloud_id:
            print(json.dumps({"cloud": settings.es.location}, indent=2))
        else:
            print(json.dumps([{"url": redact(url), "health": es_node.health(url)} for url in settings.es.node_urls], indent=2))
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
    for plugin in importlib.metadata.entry_points(group=PLUGIN_GROUP):
        plugin.load()(commands)
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
    where = redact(settings.es.location)
    if isinstance(exc, NotFoundError):
        return f"Elasticsearch at {where} has no such index (is NEWSWATCH_INDEX_PREFIX={settings.es.index_prefix!r} right? run: newswatch setup)"
    if isinstance(exc, TransportError):
        return f"Elasticsearch at {where} is unreachable ({type(exc).__name__}); start it with: newswatch es start"
    if isinstance(exc, ApiError):
        return f"Elasticsearch at {where} refused the request: {exc.message}"
    if isinstance(exc, (smtplib.SMTPException, ConnectionRefusedError)):
        return f"the mail server refused or could not be reached: {exc}"
    return None


if __name__ == "__main__":
    sys.exit(main())
