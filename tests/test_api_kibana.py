"""The analysts' Kibana dashboard: panels, references, and the field check's own reliability."""
from __future__ import annotations

import json
from collections import Counter

from test_index_definitions import field_paths

from newswatch.indexing.kibana import (
    kql_fields,
    lens_layer_fields,
    load_saved_objects,
    referenced_data_view,
    referenced_fields,
)
from newswatch.indexing.schema import load_definitions

DASHBOARD_ID = "newswatch-overview"


def _objects():
    objects = load_saved_objects()
    return objects, {o["id"]: o for o in objects}


def test_ids_are_unique_and_every_reference_resolves_to_an_object_of_its_type():
    objects, by_id = _objects()
    assert not [i for i, n in Counter(o["id"] for o in objects).items() if n > 1]
    for obj in objects:
        for ref in obj.get("references", []):
            assert ref["id"] in by_id, (obj["id"], ref)
            assert by_id[ref["id"]]["type"] == ref["type"], (obj["id"], ref)


def test_data_views_cover_public_and_operational_indices():
    objects, _ = _objects()
    views = {o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    assert views >= {"newswatch-articles", "newswatch-quotes", "newswatch-failures", "newswatch-sources", "newswatch-runs"}


def test_dashboard_has_every_required_panel():
    _, by_id = _objects()
    dashboard = by_id[DASHBOARD_ID]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {ref["name"]: ref for ref in dashboard["references"]}
    shown = []
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        target = by_id[ref["id"]]
        shown.append((target["type"], target["attributes"]["title"], referenced_data_view(target, by_id)["id"]))
    titles = " | ".join(title.lower() for _, title, _ in shown)
    for needed in ("stance over time per target", "top speakers", "top organisations", "top sources",
                   "relevant articles", "failures over time", "source health", "unhealthy sources"):
        assert needed in titles, needed
    assert {view for _, _, view in shown} == {
        "newswatch-articles", "newswatch-quotes", "newswatch-failures", "newswatch-sources", "newswatch-runs",
    }
    # panels must not overlap on the 48-column grid
    cells = Counter((x, y) for p in panels for g in [p["gridData"]]
                    for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"]))
    assert max(cells.values()) == 1 and all(p["gridData"]["x"] + p["gridData"]["w"] <= 48 for p in panels)


def test_every_lens_layer_reads_only_fields_of_its_own_data_view():
    objects, by_id = _objects()
    definitions = load_definitions()
    lenses = [o for o in objects if o["type"] == "lens"]
    assert len(lenses) >= 10
    for lens in lenses:
        layers = lens_layer_fields(dict(lens["attributes"], references=lens["references"]))
        assert layers and "" not in layers, lens["id"]  # every layer names its data view
        for view_id, fields in layers.items():
            index_name = by_id[view_id]["attributes"]["title"].removeprefix("newswatch-")
            missing = fields - field_paths(definitions[index_name].mappings["properties"])
            assert fields and not missing, (lens["id"], missing)


def _lens(columns: dict, query: str = "", view: str = "newswatch-articles") -> dict:
    return {
        "type": "lens", "id": "probe",
        "attributes": {"state": {
            "query": {"query": query, "language": "kuery"},
            "filters": [{"meta": {"key": "filtered_field"}}],
            "datasourceStates": {"formBased": {"layers": {"l1": {"columns": columns}}}},
        }},
        "references": [{"type": "index-pattern", "id": view, "name": "indexpattern-datasource-layer-l1"}],
    }


def test_field_check_sees_lens_columns_params_filters_and_kql():
    lens = _lens(
        {
            "a": {"operationType": "terms", "sourceField": "not_mapped_field"},
            "b": {"operationType": "count", "sourceField": "___records___", "filter": {"query": "col_filter >= 3"}},
            "c": {"operationType": "last_value", "sourceField": "title", "params": {"sortField": "sort_field"}},
            "d": {"operationType": "filters", "params": {"filters": [{"input": {"query": 'bucket_field:"x:y"'}}]}},
        },
        query="query_field:1",
    )
    assert referenced_fields(lens) == {
        "not_mapped_field", "col_filter", "title", "sort_field", "bucket_field", "query_field", "filtered_field",
    }


def test_field_check_sees_lens_panels_embedded_by_value_in_a_dashboard():
    lens = _lens({"a": {"operationType": "terms", "sourceField": "embedded_field"}})
    panel = {"type": "lens", "panelIndex": "1", "embeddableConfig": {"attributes": lens["attributes"]}}
    dashboard = {"type": "dashboard", "id": "d", "attributes": {"panelsJSON": json.dumps([panel])}}
    assert "embedded_field" in referenced_fields(dashboard)


def test_kql_field_names_ignore_quoted_values():
    assert kql_fields('stance_labels:"ai_training:against" and relevance >= 0.5 or not speaker:*') == {
        "stance_labels", "relevance", "speaker",
    }
