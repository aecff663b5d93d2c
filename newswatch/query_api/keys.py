"""Per-group API keys, stored hashed in the internal ``api_keys`` index.

A key reads ``nwk_<key id>_<secret>``. Only the key id, a random per-key salt
and HMAC-SHA256(salt, secret) are stored, so a copy of the index reveals no
usable key. The secret is 256 random bits, so a fast hash is enough (no
password stretching is needed for secrets nobody chose by hand).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from elasticsearch import Elasticsearch

from newswatch.core.model import utcnow
from newswatch.indexing.schema import IndexNames
from newswatch.query_api.config import PUBLIC_INDICES

KEY_PREFIX = "nwk"
HASH_ALGORITHM = "hmac-sha256"
KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)
GROUP_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_PRESENTED_LENGTH = 128


class KeyStoreError(ValueError):
    """A key operation got bad input (unknown group name format, internal index...)."""


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    group: str
    key: str  # shown once to the operator, never stored
    indices: tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified key's id, group and the public indices it may read."""

    key_id: str
    group: str
    indices: frozenset[str]
    editor: bool = False  # may correct stance labels and speakers

    @property
    def name(self) -> str:
        """How corrections made with this key are signed."""
        return f"{self.group} (key {self.key_id})"


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    group: str
    indices: tuple[str, ...]
    salt: str
    secret_hash: str
    revoked: bool
    editor: bool = False


def hash_secret(secret: str, salt_hex: str) -> str:
    return hmac.new(bytes.fromhex(salt_hex), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def split_key(presented: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed key, else None (garbage never reaches Elasticsearch)."""
    if not presented or len(presented) > MAX_PRESENTED_LENGTH:
        return None
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key_id, secret = parts[1], parts[2]
    if not KEY_ID_RE.match(key_id) or not SECRET_RE.match(secret):
        return None
    return key_id, secret


def record_matches(record: KeyRecord, secret: str) -> bool:
    return not record.revoked and hmac.compare_digest(hash_secret(secret, record.salt), record.secret_hash)


class ApiKeyStore:
    def __init__(self, client: Elasticsearch, prefix: str):
        self.client = client
        self.index = IndexNames(prefix).alias("api_keys")

    def create(self, group: str, indices: tuple[str, ...] = PUBLIC_INDICES, description: str | None = None,
               editor: bool = False) -> IssuedKey:
        if not GROUP_RE.match(group):
            raise KeyStoreError(f"group {group!r}: use 1-64 letters, digits, '.', '_' or '-'")
        unknown = sorted(set(indices) - set(PUBLIC_INDICES))
        if unknown or not indices:
            raise KeyStoreError(f"a key may only read {', '.join(PUBLIC_INDICES)}; refused: {', '.join(unknown) or 'none given'}")
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        now = utcnow().isoformat()
        document = {
            "@timestamp": now,
            "key_id": key_id,
            "group": group,
            "description": description,
            "indices": sorted(set(indices)),
            "salt": salt,
            "secret_hash": hash_secret(secret, salt),
            "hash_algorithm": HASH_ALGORITHM,
            "created_at": now,
            "revoked": False,
            "editor": editor,
        }
        # op_type=create: a (very unlikely) id collision fails loudly instead of replacing a key.
        self.client.index(index=self.index, id=key_id, document=document, op_type="create", refresh=True)
        return IssuedKey(key_id, group, f"{KEY_PREFIX}_{key_id}_{secret}", tuple(document["indices"]))

    def revoke(self, key_id: str) -> bool:
        """Mark a key revoked (kept for the audit trail); False if there is no such key."""
        if not KEY_ID_RE.match(key_id):
            return False
        response = self.client.options(ignore_status=404).update(
            index=self.index, id=key_id, doc={"revoked": True, "revoked_at": utcnow().isoformat()}, refresh=True
        )
        return response.meta.status != 404

    def fetch(self, key_id: str) -> KeyRecord | None:
        response = self.client.options(ignore_status=404).get(index=self.index, id=key_id)
        if not response.get("found"):
            return None
        source = response["_source"]
        return KeyRecord(
            key_id=key_id,
            group=source["group"],
            indices=tuple(source.get("indices", ())),
            salt=source["salt"],
            secret_hash=source["secret_hash"],
            revoked=bool(source.get("revoked")),
            editor=bool(source.get("editor")),
        )

    def list(self) -> list[dict]:
        response = self.client.search(
            index=self.index,
            size=1000,
            sort=[{"created_at": "desc"}],
            source_excludes=["salt", "secret_hash"],
        )
        return [hit["_source"] for hit in response["hits"]["hits"]]


# Stands in for a missing key record so that verifying an unknown key costs one hash too.
_UNKNOWN_KEY = KeyRecord(key_id="0" * 16, group="none", indices=(), salt="0" * 32, secret_hash="", revoked=False)


class KeyVerifier:
    """Checks presented keys, caching lookups briefly so most requests cost no extra round trip."""

    def __init__(
        self,
        store: ApiKeyStore,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ):
        self.store = store
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, KeyRecord | None]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, presented: str | None) -> Principal | None:
        parsed = split_key(presented or "")
        if parsed is None:
            return None
        key_id, secret = parsed
        record = self._record(key_id)
        if record is None:
            # Hash anyway: an unknown key id must take as long as a wrong secret, or the
            # response time tells which key ids exist.
            record_matches(_UNKNOWN_KEY, secret)
            return None
        if not record_matches(record, secret):
            return None
        return Principal(key_id, record.group, frozenset(record.indices) & frozenset(PUBLIC_INDICES), record.editor)

    def _record(self, key_id: str) -> KeyRecord | None:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(key_id)
            if cached and now - cached[0] < self.cache_seconds:
                return cached[1]
        record = self.store.fetch(key_id)
        if self.cache_seconds > 0:
            with self._lock:
                self._cache[key_id] = (now, record)
                self._cache.move_to_end(key_id)
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return record
