"""Kibana saved objects shipped in ``index_mappings/kibana/`` and their import."""
from __future__ import annotations

import json
import re
from pathlib import Path

import requests

from newswatch.indexing.schema import MAPPINGS_DIR

KIBANA_DIR = MAPPINGS_DIR / "kibana"


def load_saved_objects(directory: Path = KIBANA_DIR) -> list[dict]:
    objects = []
    for path in sorted(directory.glob("*.ndjson")):
        objects.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return objects


def _walk_search_source(obj: dict) -> dict:
    meta = obj.get("attributes", {}).get("kibanaSavedObjectMeta", {})
    return json.loads(meta["searchSourceJSON"]) if "searchSourceJSON" in meta else {}


# A KQL field name is what stands before ``:`` or a range operator, outside quoted values.
_KQL_FIELD = re.compile(r"([A-Za-z_@][\w.@]*)\s*(?::|<=|>=|<|>)")
_KQL_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# Lens names its "count of records" column after this pseudo-field.
LENS_RECORDS_FIELD = "___records___"


def kql_fields(query: str) -> set[str]:
    return set(_KQL_FIELD.findall(_KQL_QUOTED.sub(" ", query or "")))


def _filter_fields(filters: list[dict]) -> set[str]:
    return {f["meta"]["key"] for f in filters if f.get("meta", {}).get("key")}


def _column_fields(column: dict) -> set[str]:
    params = column.get("params") or {}
    fields = {column.get("sourceField"), params.get("sortField")} - {None, LENS_RECORDS_FIELD}
    fields |= kql_fields((column.get("filter") or {}).get("query", ""))
    for bucket_filter in params.get("filters", []):  # the "filters" bucket operation
        fields |= kql_fields(bucket_filter.get("input", {}).get("query", ""))
    return fields


def lens_layer_fields(lens_attributes: dict) -> dict[str, set[str]]:
    """Fields of each layer of a Lens visualization, keyed by the data view id the layer reads.

    The visualization-wide query and filters apply to every layer, so they are checked against each one.
    """
    state = lens_attributes.get("state", {})
    shared = kql_fields(state.get("query", {}).get("query", "")) | _filter_fields(state.get("filters", []))
    views = {
        ref["name"].removeprefix("indexpattern-datasource-layer-"): ref["id"]
        for ref in lens_attributes.get("references", [])
        if ref["type"] == "index-pattern" and ref["name"].startswith("indexpattern-datasource-layer-")
    }
    by_view: dict[str, set[str]] = {}
    for datasource in ("formBased", "indexpattern"):  # "indexpattern" is the pre-8.6 name
        for layer_id, layer in state.get("datasourceStates", {}).get(datasource, {}).get("layers", {}).items():
            fields = by_view.setdefault(views.get(layer_id, ""), set())
            fields |= shared
            for column in layer.get("columns", {}).values():
                fields |= _column_fields(column)
    return by_view


def by_value_lens_panels(obj: dict) -> list[dict]:
    """Lens attributes embedded in a dashboard's panels (by-value panels)."""
    panels = json.loads(obj.get("attributes", {}).get("panelsJSON", "[]"))
    return [p["embeddableConfig"]["attributes"] for p in panels
            if p.get("type") == "lens" and "attributes" in p.get("embeddableConfig", {})]


def referenced_fields(obj: dict) -> set[str]:
    """Field names a saved object uses: columns, sort keys, KQL and filter fields, time field, Lens columns."""
    attributes = obj.get("attributes", {})
    fields = set(attributes.get("columns", []))
    fields.update(key for key, _ in attributes.get("sort", []))
    if attributes.get("timeFieldName"):
        fields.add(attributes["timeFieldName"])
    search_source = _walk_search_source(obj)
    fields |= kql_fields(search_source.get("query", {}).get("query", ""))
    fields |= _filter_fields(search_source.get("filter", []))
    own_lens = [dict(attributes, references=obj.get("references", []))] if obj.get("type") == "lens" else []
    for lens in own_lens + by_value_lens_panels(obj):
        for layer_fields in lens_layer_fields(lens).values():
            fields |= layer_fields
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
