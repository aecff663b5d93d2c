"""Index templates, versioned indices and aliases against the real node."""
from __future__ import annotations

import json

import pytest
from elasticsearch import BadRequestError

from newswatch.indexing import schema
from newswatch.indexing.schema import IndexNames, load_definitions, setup_indices

pytestmark = pytest.mark.integration


def test_setup_twice_changes_nothing_the_second_time(es, es_settings):
    first = setup_indices(es, es_settings.es.index_prefix)
    second = setup_indices(es, es_settings.es.index_prefix)
    assert first.changed
    assert second.changes == []
    names = IndexNames(es_settings.es.index_prefix)
    for name, definition in load_definitions().items():
        targets = es.indices.get_alias(name=names.alias(name))
        assert list(targets) == [names.concrete(name, definition.version)]


def test_mappings_are_strict(es_ready, es_settings):
    alias = IndexNames(es_settings.es.index_prefix).alias("articles")
    with pytest.raises(BadRequestError) as error:
        es_ready.index(index=alias, id="x", document={"url": "http://a", "unexpected_field": 1})
    assert "strict_dynamic_mapping_exception" in str(error.value)


def test_version_bump_creates_new_index_copies_documents_and_swaps_alias(es, es_settings, tmp_path):
    setup_indices(es, es_settings.es.index_prefix)
    names = IndexNames(es_settings.es.index_prefix)
    es.index(index=names.alias("failures"), id="f1", document={"stage": "fetch", "error": "boom"}, refresh=True)

    bumped_dir = tmp_path / "mappings"
    bumped_dir.mkdir()
    for path in schema.MAPPINGS_DIR.glob("*.json"):
        raw = json.loads(path.read_text())
        if path.stem == "failures":
            raw["version"] += 1
            raw["mappings"]["properties"]["attempt"] = {"type": "integer"}
        (bumped_dir / path.name).write_text(json.dumps(raw))
    bumped = load_definitions(bumped_dir)

    report = setup_indices(es, es_settings.es.index_prefix, definitions=bumped)
    new_index = names.concrete("failures", 2)
    assert any("copied 1 documents" in change for change in report.changes)
    assert list(es.indices.get_alias(name=names.alias("failures"))) == [new_index]
    assert es.get(index=names.alias("failures"), id="f1")["_source"]["stage"] == "fetch"
    assert setup_indices(es, es_settings.es.index_prefix, definitions=bumped).changes == []


def test_english_subfields_only_where_the_node_has_the_analyzer(es_ready, es_settings):
    has_english = schema.node_has_english_analyzer(es_ready)
    alias = IndexNames(es_settings.es.index_prefix).alias("articles")
    mapping = next(iter(es_ready.indices.get_mapping(index=alias).values()))["mappings"]
    assert ("en" in mapping["properties"]["title"].get("fields", {})) == has_english


def test_setup_applies_a_changed_replica_count_to_live_indices(es, es_settings):
    """NEWSWATCH_ES_REPLICAS 0 -> 1 on existing indices: put settings, named in the report. (One node: the
    replicas stay unassigned and health turns yellow, so the setting is checked, not the health.)"""
    prefix = es_settings.es.index_prefix
    names = IndexNames(prefix)
    setup_indices(es, prefix, replicas=0)

    raised = setup_indices(es, prefix, replicas=1)
    for name, definition in load_definitions().items():
        index = names.concrete(name, definition.version)
        live = es.indices.get_settings(index=index, name="index.number_of_replicas")[index]["settings"]
        assert live["index"]["number_of_replicas"] == "1", index
        assert f"replicas of {index} 0 -> 1" in raised.changes
    assert setup_indices(es, prefix, replicas=1).changes == []
    lowered = setup_indices(es, prefix, replicas=0)
    assert f"replicas of {names.concrete('articles', load_definitions()['articles'].version)} 1 -> 0" in lowered.changes
