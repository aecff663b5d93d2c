"""Kibana saved objects generated for an index prefix: Kibana's own export shape, the mappings, the commands.

The shape below is learnt from the objects Kibana itself ships and exports (data, not code):
- elastic/kibana src/platform/plugins/shared/home/server/services/sample_data/data_sets/flights/saved_objects.ts
  (search, index-pattern, dashboard; panels carry "version", "type", "gridData", "panelIndex",
  "embeddableConfig", "panelRefName"; coreMigrationVersion 8.8.0 with per-type typeMigrationVersion)
- elastic/kibana src/plugins/home/server/services/sample_data/data_sets/security_solution/saved_objects.ts
  (index-pattern and search at 8.0.0, dashboard at 8.9.0, "managed": false)
- elastic/kibana src/platform/plugins/shared/dashboard/server/dashboard_saved_object/schema/v1/v1.ts
  (the dashboard attributes Kibana accepts; unknown attributes are refused)
- elastic/kibana x-pack/platform/plugins/shared/lens/server/migrations/saved_object_migrations.ts
  (Lens's last migration is 8.9.0, later changes are model versions)
"""
from __future__ import annotations

import json
import re
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import unquote

import pytest

from newswatch.cli import main
from newswatch.indexing.kibana import (
    AGGREGATABLE_TYPES,
    SavedObjectTemplateError,
    aggregated_fields,
    data_view_id,
    export_ndjson,
    mapped_field_types,
    referenced_data_view,
    referenced_fields,
    saved_objects,
)
from newswatch.indexing.schema import load_definitions

DEMO_PREFIX = "newswatch-demo"

OBJECT_KEYS = {"id": str, "type": str, "attributes": dict, "references": list,
               "coreMigrationVersion": str, "typeMigrationVersion": str, "managed": bool}
REFERENCE_KEYS = {"id": str, "name": str, "type": str}
ATTRIBUTE_KEYS = {
    "index-pattern": {"title": str, "name": str, "timeFieldName": str},
    "search": {"title": str, "description": str, "columns": list, "sort": list, "kibanaSavedObjectMeta": dict},
    "lens": {"title": str, "description": str, "visualizationType": str, "state": dict},
    "dashboard": {"title": str, "description": str, "panelsJSON": str, "optionsJSON": str, "timeRestore": bool,
                  "refreshInterval": dict, "kibanaSavedObjectMeta": dict},
}
DASHBOARD_ACCEPTED_ATTRIBUTES = {
    "title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo", "refreshInterval",
    "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version",
}
LENS_STATE_KEYS = {"visualization": dict, "query": dict, "filters": list, "datasourceStates": dict}
SEARCH_SOURCE_KEYS = {"query": dict, "filter": list, "indexRefName": str}
PANEL_KEYS = {"version": str, "type": str, "gridData": dict, "panelIndex": str, "embeddableConfig": dict,
              "panelRefName": str}
GRID_KEYS = {"x": int, "y": int, "w": int, "h": int, "i": str}
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "dashboard": "8.9.0"}


def exported(prefix: str = DEMO_PREFIX) -> list[dict]:
    return [json.loads(line) for line in export_ndjson(prefix).splitlines()]


def shape_problems(value: dict, keys: dict[str, type], where: str) -> list[str]:
    return [f"{where}: {key} missing or not {kind.__name__}" for key, kind in keys.items()
            if not isinstance(value.get(key), kind)]


def test_every_object_has_the_keys_and_types_kibana_exports():
    objects = exported()
    assert {o["type"] for o in objects} == set(ATTRIBUTE_KEYS)
    problems = []
    for obj in objects:
        where = obj.get("id", "?")
        problems += shape_problems(obj, OBJECT_KEYS, where)
        problems += shape_problems(obj["attributes"], ATTRIBUTE_KEYS[obj["type"]], f"{where}.attributes")
        for reference in obj["references"]:
            problems += shape_problems(reference, REFERENCE_KEYS, f"{where}.references")
        if obj["type"] == "lens":
            problems += shape_problems(obj["attributes"]["state"], LENS_STATE_KEYS, f"{where}.state")
        if obj["type"] == "search":
            source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
            problems += shape_problems(source, SEARCH_SOURCE_KEYS, f"{where}.searchSourceJSON")
        if obj["type"] == "dashboard":
            unknown = set(obj["attributes"]) - DASHBOARD_ACCEPTED_ATTRIBUTES
            problems += [f"{where}: Kibana refuses dashboard attribute {key}" for key in sorted(unknown)]
            for panel in json.loads(obj["attributes"]["panelsJSON"]):
                problems += shape_problems(panel, PANEL_KEYS, f"{where}.panel")
                problems += shape_problems(panel["gridData"], GRID_KEYS, f"{where}.panel.gridData")
    assert problems == []


def test_migration_versions_are_kibana_9_2s_on_every_object_and_panel():
    objects = exported()
    assert {(o["type"], o["coreMigrationVersion"], o["typeMigrationVersion"]) for o in objects} == {
        (kind, CORE_MIGRATION_VERSION, version) for kind, version in TYPE_MIGRATION_VERSIONS.items()}
    assert all(o["managed"] is False for o in objects)
    dashboard = next(o for o in objects if o["type"] == "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    assert len(panels) >= 10 and {p["version"] for p in panels} == {TYPE_MIGRATION_VERSIONS["dashboard"]}


def test_objects_for_newswatch_demo_reference_only_newswatch_demo_indices():
    text = export_ndjson(DEMO_PREFIX)
    objects = [json.loads(line) for line in text.splitlines()]
    by_id = {o["id"]: o for o in objects}
    assert len(by_id) == len(objects)
    views = [o for o in objects if o["type"] == "index-pattern"]
    assert {v["attributes"]["title"] for v in views} == {
        f"{DEMO_PREFIX}-{name}" for name in ("articles", "quotes", "terms", "failures", "sources", "runs")}
    assert all(v["id"] == v["attributes"]["title"] and DEMO_PREFIX in v["attributes"]["name"] for v in views)
    for obj in objects:
        assert obj["id"].startswith(f"{DEMO_PREFIX}-"), obj["id"]
        for reference in obj["references"]:
            assert by_id[reference["id"]]["type"] == reference["type"], (obj["id"], reference)
    # No other prefix anywhere in the file: not in ids, titles, panels or embedded JSON.
    assert set(re.findall(r"newswatch-[a-z]+", text)) == {"newswatch-demo"}
    assert data_view_id(DEMO_PREFIX, "articles") in by_id


def test_two_prefixes_imported_into_one_kibana_share_no_object():
    demo, production = exported(DEMO_PREFIX), exported("newswatch")
    assert not {o["id"] for o in demo} & {o["id"] for o in production}
    assert len(demo) == len(production)
    dashboards = [o["attributes"]["title"] for o in demo + production if o["type"] == "dashboard"]
    assert len(set(dashboards)) == 2


def test_every_field_used_is_mapped_and_every_aggregated_field_is_aggregatable():
    definitions = load_definitions()
    objects = saved_objects(DEMO_PREFIX)
    by_id = {o["id"]: o for o in objects}
    checked = 0
    for obj in objects:
        view = referenced_data_view(obj, by_id)
        if view is None:
            continue
        index_name = view["attributes"]["title"].removeprefix(f"{DEMO_PREFIX}-")
        types = mapped_field_types(definitions[index_name].mappings["properties"])
        assert referenced_fields(obj) <= set(types), (obj["id"], referenced_fields(obj) - set(types))
        not_aggregatable = {f: types[f] for f in aggregated_fields(obj) if types[f] not in AGGREGATABLE_TYPES}
        assert not not_aggregatable, (obj["id"], not_aggregatable)
        checked += len(aggregated_fields(obj))
    assert checked >= 20  # the Lens columns and sort keys were really seen


def test_aggregation_check_sees_lens_columns_sort_keys_and_multi_field_types():
    lens = {"type": "lens", "attributes": {"state": {"datasourceStates": {"formBased": {"layers": {"l1": {"columns": {
        "a": {"operationType": "terms", "sourceField": "title"},
        "b": {"operationType": "count", "sourceField": "___records___"},
        "c": {"operationType": "last_value", "sourceField": "speaker", "params": {"sortField": "published_at"}},
    }}}}}}}}
    assert aggregated_fields(lens) == {"title", "speaker", "published_at"}
    search = {"type": "search", "attributes": {"sort": [["relevance", "desc"]]}}
    assert aggregated_fields(search) == {"relevance"}
    types = mapped_field_types({"title": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
                                "stance": {"properties": {"label": {"type": "keyword"}}}})
    assert types == {"title": "text", "title.keyword": "keyword", "stance": "object", "stance.label": "keyword"}


def test_a_template_whose_id_lacks_the_template_prefix_is_refused(tmp_path):
    (tmp_path / "x.ndjson").write_text(json.dumps({
        "type": "index-pattern", "id": "logs-articles", "references": [],
        "attributes": {"title": "logs-articles", "name": "Logs", "timeFieldName": "@timestamp"}}) + "\n")
    with pytest.raises(SavedObjectTemplateError, match="logs-articles"):
        saved_objects(DEMO_PREFIX, tmp_path)


def test_export_command_writes_the_objects_of_the_configured_prefix(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", DEMO_PREFIX)
    out = tmp_path / "kibana.ndjson"
    assert main(["kibana", "export", "--out", str(out)]) == 0
    assert out.read_text() == export_ndjson(DEMO_PREFIX)
    assert f"saved objects for the prefix '{DEMO_PREFIX}' written to {out}" in capsys.readouterr().out
    assert main(["kibana", "export"]) == 0
    assert capsys.readouterr().out == export_ndjson(DEMO_PREFIX)


class KibanaStub:
    """Kibana's Saved Objects import endpoint on 127.0.0.1: keeps each upload, answers as Kibana does."""

    def __init__(self) -> None:
        self.uploads: list[tuple[str, dict[str, str], list[dict]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                form = message_from_bytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body, policy=policy.HTTP)
                ndjson = next(part for part in form.iter_parts() if part.get_filename()).get_content()
                objects = [json.loads(line) for line in (ndjson.decode() if isinstance(ndjson, bytes) else ndjson).splitlines()]
                stub.uploads.append((self.path, {k.lower(): v for k, v in self.headers.items()}, objects))
                reply = json.dumps({"success": True, "successCount": len(objects), "errors": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args) -> None:
                pass  # keep test output quiet

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def test_import_command_posts_the_objects_generated_for_the_prefix(monkeypatch, capsys):
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", DEMO_PREFIX)
    with KibanaStub() as kibana:
        assert main(["kibana", "import", "--url", kibana.url + "/", "--api-key", "c2VjcmV0"]) == 0
    [(path, headers, objects)] = kibana.uploads
    assert path == "/api/saved_objects/_import?overwrite=true"
    assert headers["kbn-xsrf"] and headers["authorization"] == "ApiKey c2VjcmV0"
    assert objects == exported(DEMO_PREFIX)
    assert json.loads(capsys.readouterr().out)["successCount"] == len(objects)


def test_import_with_kibana_unreachable_is_one_line_and_exit_2(capsys):
    with KibanaStub() as kibana:
        url = kibana.url
    assert main(["kibana", "import", "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"error: Kibana at {url} is unreachable (ConnectionError)"]


@pytest.mark.integration
def test_digest_links_open_the_generated_articles_data_view(es_ready, es_settings):
    from datetime import date

    from newswatch.digest.content import ContentBuilder
    from newswatch.digest.subscriptions import parse_config

    config = parse_config("kibana_url: http://kibana.example:5601\nsubscriptions:\n"
                          "  - {name: desk, recipients: [desk@example.org]}\n")
    prefix = es_settings.es.index_prefix
    content = ContentBuilder(es_ready, prefix, config).build(config.subscription("desk"), date(2026, 11, 20))
    view = re.search(r"dataViewId:'([^']+)'", unquote(content.kibana_url)).group(1)
    assert view == data_view_id(prefix, "articles")
    assert view in {o["id"] for o in saved_objects(prefix)}
