"""The query API's own Elasticsearch API key: read-only, limited to the indices it serves.

On a cluster with security enabled, an administrator runs ``newswatch api
es-key create`` once (with admin credentials in ES_API_KEY or ES_USERNAME/
ES_PASSWORD) and gives the printed key to the API as NEWSWATCH_API_ES_API_KEY.
Even a bug in the API then cannot write, delete, or read failures, runs or
sources: Elasticsearch itself refuses.
"""
from __future__ import annotations

import re

from elasticsearch import Elasticsearch

from newswatch.indexing.schema import IndexNames
from newswatch.query_api.config import PUBLIC_INDICES

ROLE_NAME = "newswatch_query_api_read"
EXPIRATION_RE = re.compile(r"^[1-9][0-9]{0,4}[dhm]$")


def read_only_key_request(prefix: str, name: str = "newswatch-query-api", expiration: str | None = "90d") -> dict:
    """Body of ``POST /_security/api_key`` for a key that can only read the public indices."""
    if expiration is not None and not EXPIRATION_RE.match(expiration):
        raise ValueError(f"expiration {expiration!r}: use a number of days, hours or minutes, e.g. 90d")
    if not 1 <= len(name) <= 200:
        raise ValueError("key name must be 1-200 characters")
    names = IndexNames(prefix)
    body = {
        "name": name,
        "role_descriptors": {
            ROLE_NAME: {
                "cluster": [],
                "indices": [
                    {
                        "names": [names.alias(index) for index in PUBLIC_INDICES],
                        "privileges": ["read"],
                        "allow_restricted_indices": False,
                    },
                    # Only to check the hashes of presented group keys; no route ever returns this index.
                    {
                        "names": [names.alias("api_keys")],
                        "privileges": ["read"],
                        "allow_restricted_indices": False,
                    },
                ],
            }
        },
        "metadata": {"application": "newswatch-query-api", "index_prefix": prefix},
    }
    if expiration:
        body["expiration"] = expiration
    return body


def create_read_only_key(client: Elasticsearch, body: dict) -> dict:
    """Create the key; the answer's ``encoded`` value is what NEWSWATCH_API_ES_API_KEY takes."""
    return dict(client.security.create_api_key(**body))
