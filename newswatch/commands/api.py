"""``newswatch api``: serve the query API, manage group keys and the API's own Elasticsearch key."""
from __future__ import annotations

import argparse
import json
import sys

from newswatch.core.settings import Settings
from newswatch.indexing.connection import es_client
from newswatch.query_api.config import PUBLIC_INDICES
from newswatch.query_api.keys import ApiKeyStore, KeyStoreError


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from newswatch.query_api.app import create_app

    app = create_app(Settings.from_env())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False)
    return 0


def _store() -> ApiKeyStore:
    settings = Settings.from_env()
    store = ApiKeyStore(es_client(settings.es), settings.es.index_prefix)
    if not store.client.indices.exists_alias(name=store.index):
        raise SystemExit(f"index {store.index} does not exist: run `newswatch setup` first")
    return store


def _keys_create(args: argparse.Namespace) -> int:
    try:
        issued = _store().create(args.group, tuple(args.indices), args.description, editor=args.editor)
    except KeyStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"key id:  {issued.key_id}")
    print(f"group:   {issued.group}")
    print(f"indices: {', '.join(issued.indices)}")
    if args.editor:
        print("editor:  may correct stance labels and speakers (POST /v1/corrections/...)")
    print(f"key:     {issued.key}")
    print("Store the key now: only its hash is kept, it cannot be shown again.", file=sys.stderr)
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    if _store().revoke(args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"error: no key with id {args.key_id!r}", file=sys.stderr)
    return 1


def _keys_list(args: argparse.Namespace) -> int:
    for record in _store().list():
        print(json.dumps({k: record.get(k) for k in ("key_id", "group", "indices", "editor", "created_at", "revoked", "revoked_at")}))
    return 0


def _es_key_create(args: argparse.Namespace) -> int:
    from newswatch.query_api.es_key import create_read_only_key, read_only_key_request

    settings = Settings.from_env()
    try:
        body = read_only_key_request(settings.es.index_prefix, name=args.name, expiration=args.expiration or None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(json.dumps(body, indent=2))
        return 0
    created = create_read_only_key(es_client(settings.es), body)
    print(f"id:      {created['id']}")
    print(f"encoded: {created['encoded']}")
    print("Give the encoded value to the API as NEWSWATCH_API_ES_API_KEY.", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    api = commands.add_parser("api", help="serve the read-only query API (uvicorn); manage its keys")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    api.set_defaults(handler=_serve)
    actions = api.add_subparsers(dest="api_action")

    keys = actions.add_parser("keys", help="per-group API keys (stored hashed in the api_keys index)")
    key_actions = keys.add_subparsers(dest="keys_action", required=True)
    create = key_actions.add_parser("create", help="issue a key for a group; prints it once")
    create.add_argument("--group", required=True)
    create.add_argument("--indices", nargs="+", choices=PUBLIC_INDICES, default=list(PUBLIC_INDICES))
    create.add_argument("--description", default=None)
    create.add_argument("--editor", action="store_true", help="the key may also correct stance labels and speakers")
    create.set_defaults(handler=_keys_create)
    revoke = key_actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_keys_revoke)
    listing = key_actions.add_parser("list", help="list key ids, groups and states (never secrets)")
    listing.set_defaults(handler=_keys_list)

    es_key = actions.add_parser("es-key", help="the API's own read-only Elasticsearch API key")
    es_key_actions = es_key.add_subparsers(dest="es_key_action", required=True)
    es_create = es_key_actions.add_parser("create", help="create it with the security API (admin credentials)")
    es_create.add_argument("--name", default="newswatch-query-api")
    es_create.add_argument("--expiration", default="90d", help="e.g. 90d, 12h; empty for no expiry")
    es_create.add_argument("--dry-run", action="store_true", help="print the request body instead of sending it")
    es_create.set_defaults(handler=_es_key_create)
