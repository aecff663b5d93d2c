"""Kibana saved objects for an index prefix: data views, saved searches, Lens visualizations, dashboard.

The templates in ``index_mappings/kibana/`` are written for the default prefix; ``saved_objects(prefix)``
renames every object id and data view after the configured prefix and stamps the migration versions,
so ``newswatch kibana export`` and ``kibana import`` serve any prefix and two prefixes imported into one
Kibana never overwrite each other.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import requests

from newswatch.core.settings import ElasticsearchSettings
from newswatch.indexing.schema import MAPPINGS_DIR, IndexNames

KIBANA_DIR = MAPPINGS_DIR / "kibana"
TEMPLATE_PREFIX = ElasticsearchSettings.index_prefix

# Kibana 9.2 (docker-compose.yml pins 9.2.8) still writes coreMigrationVersion 8.8.0, core's last
# migration: later changes are per-type model versions. Each type's version is the last migration the
# objects' shape already has (Lens and dashboards 8.9.0, searches and data views 8.0.0), so Kibana
# runs none of the older ones on import and refuses none as too new.
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "dashboard": "8.9.0"}
# A dashboard panel's version is the embeddable state version it was written in.
PANEL_VERSION = TYPE_MIGRATION_VERSIONS["dashboard"]


class SavedObjectTemplateError(ValueError):
    """A template in index_mappings/kibana/ cannot be generated for a prefix; the message names it."""


def load_saved_objects(directory: Path = KIBANA_DIR) -> list[dict]:
    """The templates as written (default prefix, no migration versions)."""
    objects = []
    for path in sorted(directory.glob("*.ndjson")):
        objects.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return objects


def data_view_id(prefix: str, index_name: str) -> str:
    """The generated data view of one logical index: id and title are the index's alias."""
    return IndexNames(prefix).alias(index_name)


def _renamed(object_id: str, prefix: str) -> str:
    if not object_id.startswith(f"{TEMPLATE_PREFIX}-"):
        raise SavedObjectTemplateError(f"saved object id {object_id!r} does not start with {TEMPLATE_PREFIX!r}-")
    return prefix + object_id.removeprefix(TEMPLATE_PREFIX)


def saved_object_for_prefix(template: dict, prefix: str) -> dict:
    obj = copy.deepcopy(template)
    if obj.get("type") not in TYPE_MIGRATION_VERSIONS:
        raise SavedObjectTemplateError(f"saved object {obj.get('id')!r}: unsupported type {obj.get('type')!r}")
    obj["id"] = _renamed(obj["id"], prefix)
    for reference in obj.get("references", []):
        reference["id"] = _renamed(reference["id"], prefix)
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        attributes["title"] = data_view_id(prefix, attributes["title"].removeprefix(f"{TEMPLATE_PREFIX}-"))
        if attributes["title"] != obj["id"]:
            raise SavedObjectTemplateError(f"data view {template['id']!r}: its id and title must both be the alias")
        attributes["name"] = f"{attributes['name']} ({prefix})"
    elif obj["type"] == "dashboard":
        # Both dashboards stay apart in Kibana's list when two prefixes are imported.
        attributes["title"] = f"{attributes['title']} ({prefix})"
        panels = json.loads(attributes["panelsJSON"])
        attributes["panelsJSON"] = json.dumps([dict(panel, version=PANEL_VERSION) for panel in panels])
    obj.update(
        coreMigrationVersion=CORE_MIGRATION_VERSION,
        typeMigrationVersion=TYPE_MIGRATION_VERSIONS[obj["type"]],
        managed=False,
    )
    return obj


def saved_objects(prefix: str, directory: Path = KIBANA_DIR) -> list[dict]:
    """Every saved object, generated for ``prefix``: ids, data views and references all name it."""
    return [saved_object_for_prefix(template, prefix) for template in load_saved_objects(directory)]


def export_ndjson(prefix: str) -> str:
    """The NDJSON file Kibana's Saved Objects import takes (one object per line)."""
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in saved_objects(prefix))


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


# Mapping types Elasticsearch can aggregate and sort on from doc values (text needs fielddata, off here).
AGGREGATABLE_TYPES = frozenset({
    "keyword", "constant_keyword", "wildcard", "boolean", "date", "date_nanos", "ip", "long", "integer",
    "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long",
})


def mapped_field_types(properties: dict, prefix: str = "") -> dict[str, str]:
    """Every field path of a mapping (objects flattened, multi-fields included) with its type."""
    types: dict[str, str] = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        types[path] = spec.get("type", "object")
        types.update({f"{path}.{sub}": sub_spec["type"] for sub, sub_spec in spec.get("fields", {}).items()})
        types.update(mapped_field_types(spec.get("properties", {}), f"{path}."))
    return types


def aggregated_fields(obj: dict) -> set[str]:
    """Fields a saved object aggregates or sorts on: Lens columns and their sort keys, a search's sort."""
    attributes = obj.get("attributes", {})
    fields = {key for key, _ in attributes.get("sort", [])}
    own_lens = [attributes] if obj.get("type") == "lens" else []
    for lens in own_lens + by_value_lens_panels(obj):
        for datasource in lens.get("state", {}).get("datasourceStates", {}).values():
            for layer in datasource.get("layers", {}).values():
                for column in layer.get("columns", {}).values():
                    fields |= {column.get("sourceField"), (column.get("params") or {}).get("sortField")}
    return fields - {None, LENS_RECORDS_FIELD}


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


class KibanaImportError(RuntimeError):
    """Kibana could not be reached or refused the import; the message says which."""


def import_saved_objects(kibana_url: str, prefix: str, api_key: str | None = None, overwrite: bool = True) -> dict:
    """Generate the objects for ``prefix`` and post them to Kibana's Saved Objects import API."""
    base_url = kibana_url.rstrip("/")
    headers = {"kbn-xsrf": "newswatch"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    try:
        response = requests.post(
            f"{base_url}/api/saved_objects/_import",
            params={"overwrite": str(overwrite).lower()},
            headers=headers,
            files={"file": (f"{prefix}.ndjson", export_ndjson(prefix).encode("utf-8"), "application/ndjson")},
            timeout=60,
        )
    except requests.RequestException as exc:
        raise KibanaImportError(f"Kibana at {base_url} is unreachable ({type(exc).__name__})") from exc
    if not response.ok:
        detail = " ".join(response.text.split())[:300]
        raise KibanaImportError(f"Kibana at {base_url} refused the import: HTTP {response.status_code} {detail}")
    return response.json()
