"""Pure checks of the mapping files and Kibana saved objects (no server needed)."""
from __future__ import annotations

import json

from newswatch.indexing.kibana import (
    load_saved_objects,
    referenced_data_view,
    referenced_fields,
)
from newswatch.indexing.schema import (
    IndexNames,
    effective_mappings,
    load_definitions,
    template_body,
)

REQUIRED_FIELDS = {
    "articles": {"url", "canonical_url", "source_id", "title", "authors", "published_at", "fetched_at", "language",
                 "text", "summary", "stance", "entities", "quote_count", "relevance", "cluster_id", "content_hash",
                 "@timestamp", "embedding"},
    "quotes": {"text", "speaker", "speaker_type", "organization", "cue", "stance", "article_id", "published_at",
               "source_id", "@timestamp"},
    "sources": {"etag", "last_modified", "last_success_at", "consecutive_failures", "last_error", "healthy"},
    "failures": {"stage", "error", "payload_ref", "@timestamp"},
}


def field_paths(properties: dict, prefix: str = "") -> set[str]:
    paths = set()
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        paths.add(path)
        paths.update(f"{path}.{sub}" for sub in spec.get("fields", {}))
        if "properties" in spec:
            paths.update(field_paths(spec["properties"], f"{path}."))
    return paths


def test_every_required_index_is_defined_strict_with_its_fields():
    definitions = load_definitions()
    for name, required in REQUIRED_FIELDS.items():
        mappings = definitions[name].mappings
        assert mappings["dynamic"] == "strict", name
        assert required <= set(mappings["properties"]), (name, required - set(mappings["properties"]))


def test_template_checksum_depends_on_content_and_english_option():
    definition = load_definitions()["articles"]
    names = IndexNames("x")
    plain = template_body(definition, names, replicas=0, with_english=False)
    english = template_body(definition, names, replicas=0, with_english=True)
    assert plain["_meta"]["checksum"] != english["_meta"]["checksum"]
    assert plain["index_patterns"] == ["x-articles-v*"]
    assert "en" in effective_mappings(definition, True)["properties"]["text"]["fields"]
    assert "fields" not in effective_mappings(definition, False)["properties"]["text"]


def test_kibana_saved_objects_reference_only_mapped_fields_and_indices():
    definitions = load_definitions()
    objects = load_saved_objects()
    by_id = {o["id"]: o for o in objects}
    assert {o["type"] for o in objects} >= {"index-pattern", "search"}
    for obj in objects:
        view = referenced_data_view(obj, by_id)
        if view is None:
            continue
        index_name = view["attributes"]["title"].removeprefix("newswatch-")
        assert index_name in definitions, (obj["id"], view["attributes"]["title"])
        known = field_paths(definitions[index_name].mappings["properties"])
        missing = referenced_fields(obj) - known
        assert not missing, (obj["id"], missing)


def test_data_views_have_a_time_field_that_is_a_date():
    definitions = load_definitions()
    for obj in load_saved_objects():
        if obj["type"] != "index-pattern":
            continue
        index_name = obj["attributes"]["title"].removeprefix("newswatch-")
        time_field = obj["attributes"]["timeFieldName"]
        assert definitions[index_name].mappings["properties"][time_field]["type"] == "date"


def test_saved_search_source_is_valid_json():
    for obj in load_saved_objects():
        if obj["type"] == "search":
            source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
            assert source["indexRefName"] == obj["references"][0]["name"]
