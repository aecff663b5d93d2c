"""Kibana saved objects shipped in ``index_mappings/kibana/`` and their import."""
from __future__ import annotations

import json
from pathlib import Path

import requests

from indexing.schema import MAPPINGS_DIR

KIBANA_DIR = MAPPINGS_DIR / "kibana"


def load_saved_objects(directory: Path = KIBANA_DIR) -> list[dict]:
    objects = []
    for path in sorted(directory.glob("*.ndjson")):
        objects.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return objects


def _walk_search_source(obj: dict) -> dict:
    meta = obj.get("attributes", {}).get("kibanaSavedObjectMeta", {})
    return json.loads(meta["searchSourceJSON"]) if "searchSourceJSON" in meta else {}


def referenced_fields(obj: dict) -> set[str]:
    """Field names a saved object uses: columns, sort keys, KQL field names, time field, vis params."""
    attributes = obj.get("attributes", {})
    fields = set(attributes.get("columns", []))
    fields.update(key for key, _ in attributes.get("sort", []))
    if attributes.get("timeFieldName"):
        fields.add(attributes["timeFieldName"])
    query = _walk_search_source(obj).get("query", {}).get("query", "")
    for token in query.replace("(", " ").replace(")", " ").split():
        if ":" in token:
            fields.add(token.split(":", 1)[0])
    return fields


def referenced_data_view(obj: dict, objects_by_id: dict[str, dict]) -> dict | None:
    if obj["type"] == "index-pattern":
        return obj
    for ref in obj.get("references", []):
        if ref["type"] == "index-pattern":
            return objects_by_id.get(ref["id"])
    return None


def import_saved_objects(kibana_url: str, api_key: str | None = None, overwrite: bool = True) -> dict:
    payload = "".join(json.dumps(o) + "\n" for o in load_saved_objects()).encode("utf-8")
    headers = {"kbn-xsrf": "newswatch"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    response = requests.post(
        f"{kibana_url.rstrip('/')}/api/saved_objects/_import",
        params={"overwrite": str(overwrite).lower()},
        headers=headers,
        files={"file": ("newswatch.ndjson", payload, "application/ndjson")},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()
