"""Opaque, signed pagination cursors around Elasticsearch ``search_after`` values.

A cursor carries the sort values of the last hit, the time window resolved on
the first page (so "the last N days" does not slide between pages) and a
fingerprint of the query it belongs to. It is signed, so a client can neither
forge sort values nor replay a cursor against another query.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 2048


class InvalidCursor(ValueError):
    """The cursor is malformed, tampered with, expired by a restart, or from another query."""


@dataclass(frozen=True)
class CursorState:
    fingerprint: str
    window: tuple[str, str]  # ISO datetimes
    after: list[int | float | str]


def query_fingerprint(kind: str, params: dict) -> str:
    canonical = json.dumps([kind, params], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()[:32]


def encode_cursor(state: CursorState, secret: str) -> str:
    payload = json.dumps(
        {"v": CURSOR_VERSION, "f": state.fingerprint, "w": list(state.window), "a": state.after},
        separators=(",", ":"),
    ).encode("utf-8")
    body = base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")
    return f"{body}.{_sign(payload, secret)}"


def decode_cursor(cursor: str, secret: str, fingerprint: str) -> CursorState:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii() or cursor.count(".") != 1:
        raise InvalidCursor("malformed cursor")
    body, signature = cursor.split(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise InvalidCursor("malformed cursor") from exc
    if not hmac.compare_digest(_sign(payload, secret), signature):
        raise InvalidCursor("cursor signature does not match (tampered, or issued before a restart)")
    data = json.loads(payload)  # signed by us, so well-formed
    if data.get("v") != CURSOR_VERSION:
        raise InvalidCursor("cursor from an older API version")
    if data["f"] != fingerprint:
        raise InvalidCursor("cursor belongs to a different query; repeat the same filters with it")
    return CursorState(fingerprint=data["f"], window=tuple(data["w"]), after=data["a"])
