"""Index templates, versioned indices and aliases, all defined by ``index_mappings/*.json``.

Each logical index (``articles``, ``quotes``, ...) is an alias
``<prefix>-<name>`` over a concrete index ``<prefix>-<name>-v<version>``.
Bumping a file's ``version`` makes ``setup`` create the next concrete index,
copy the documents over and swap the alias in one atomic call.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import Elasticsearch, helpers

from newswatch.core.settings import REPO_ROOT

MAPPINGS_DIR = REPO_ROOT / "index_mappings"


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    version: int
    settings: dict
    mappings: dict
    english_subfields: tuple[str, ...] = ()
    description: str = ""


def load_definitions(directory: Path = MAPPINGS_DIR) -> dict[str, IndexDefinition]:
    definitions = {}
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text())
        try:
            definitions[path.stem] = IndexDefinition(
                name=path.stem,
                version=int(raw["version"]),
                settings=raw["settings"],
                mappings=raw["mappings"],
                english_subfields=tuple(raw.get("english_subfields", ())),
                description=raw.get("description", ""),
            )
        except KeyError as exc:
            raise ValueError(f"{path}: missing key {exc}") from exc
    return definitions


@dataclass(frozen=True)
class IndexNames:
    prefix: str

    def alias(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def concrete(self, name: str, version: int) -> str:
        return f"{self.prefix}-{name}-v{version}"

    def template(self, name: str) -> str:
        return f"{self.prefix}-{name}"


def node_has_english_analyzer(client: Elasticsearch) -> bool:
    """The integ-test node lacks analysis-common (and so ``english``); full nodes have it."""
    try:
        client.indices.analyze(analyzer="english", text="probe")
    except Exception:  # noqa: BLE001 - any refusal means "not available here"
        return False
    return True


def effective_mappings(definition: IndexDefinition, with_english: bool) -> dict:
    mappings = copy.deepcopy(definition.mappings)
    if with_english:
        for field_name in definition.english_subfields:
            spec = mappings["properties"][field_name]
            spec.setdefault("fields", {})["en"] = {"type": "text", "analyzer": "english"}
    return mappings


def template_body(definition: IndexDefinition, names: IndexNames, replicas: int, with_english: bool) -> dict:
    settings = dict(definition.settings, number_of_replicas=replicas)
    mappings = effective_mappings(definition, with_english)
    checksum = hashlib.sha256(json.dumps([settings, mappings], sort_keys=True).encode()).hexdigest()[:16]
    mappings["_meta"] = {"newswatch_version": definition.version, "checksum": checksum}
    return {
        "index_patterns": [f"{names.alias(definition.name)}-v*"],
        "priority": 200,
        "template": {"settings": settings, "mappings": mappings},
        "_meta": {"newswatch_version": definition.version, "checksum": checksum},
    }


@dataclass
class SetupReport:
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _current_alias_targets(client: Elasticsearch, alias: str) -> list[str]:
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).keys())


def _copy_documents(client: Elasticsearch, source: str, target: str) -> int:
    # The integ-test node has no reindex module, so documents are copied client-side.
    actions = (
        {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": hit["_source"]}
        for hit in helpers.scan(client, index=source, query={"query": {"match_all": {}}})
    )
    copied, _ = helpers.bulk(client, actions, refresh=True)
    return copied


def _apply_replicas(client: Elasticsearch, index: str, replicas: int, report: SetupReport) -> None:
    # Templates shape only indices created after them: a live index takes a changed replica count here.
    live = client.indices.get_settings(index=index, name="index.number_of_replicas")[index]["settings"]
    current = int(live["index"]["number_of_replicas"])
    if current != replicas:
        client.indices.put_settings(index=index, settings={"index": {"number_of_replicas": replicas}})
        report.changes.append(f"replicas of {index} {current} -> {replicas}")


def setup_indices(
    client: Elasticsearch, prefix: str, replicas: int = 0, definitions: dict[str, IndexDefinition] | None = None
) -> SetupReport:
    """Install or upgrade every template, index and alias; a second call changes nothing."""
    names = IndexNames(prefix)
    report = SetupReport()
    with_english = node_has_english_analyzer(client)
    for definition in (definitions or load_definitions()).values():
        body = template_body(definition, names, replicas, with_english)
        template_name = names.template(definition.name)
        existing = None
        if client.indices.exists_index_template(name=template_name):
            existing = client.indices.get_index_template(name=template_name)["index_templates"][0]
        if existing is None or existing["index_template"].get("_meta") != body["_meta"]:
            client.indices.put_index_template(name=template_name, **body)
            report.changes.append(f"template {template_name} -> v{definition.version}")

        alias = names.alias(definition.name)
        wanted = names.concrete(definition.name, definition.version)
        current = _current_alias_targets(client, alias)
        if current == [wanted]:
            live_meta = client.indices.get_mapping(index=wanted)[wanted]["mappings"].get("_meta", {})
            if live_meta != body["_meta"]:
                client.indices.put_mapping(index=wanted, **body["template"]["mappings"])
                report.changes.append(f"mapping of {wanted} updated in place")
            _apply_replicas(client, wanted, replicas, report)
            continue
        if not client.indices.exists(index=wanted):
            client.indices.create(index=wanted)
            report.changes.append(f"index {wanted} created")
        alias_actions = [{"add": {"index": wanted, "alias": alias, "is_write_index": True}}]
        for old in current:
            if old != wanted:
                copied = _copy_documents(client, old, wanted)
                report.changes.append(f"copied {copied} documents {old} -> {wanted}")
                alias_actions.append({"remove": {"index": old, "alias": alias}})
        client.indices.update_aliases(actions=alias_actions)
        report.changes.append(f"alias {alias} -> {wanted}")
    return report


def drop_prefix(client: Elasticsearch, prefix: str, keep: frozenset[str] = frozenset()) -> None:
    """Delete every index and template of a prefix (tests, benchmarks, the demo), except the logical
    indices named in ``keep`` (the demo keeps its API keys). Wildcard deletes are refused by default
    (action.destructive_requires_name), so each index is named."""
    names = IndexNames(prefix)
    kept = tuple(f"{names.alias(name)}-v" for name in keep)
    indices = [name for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True) if not name.startswith(kept)]
    if indices:
        client.indices.delete(index=",".join(indices))
    templates = client.options(ignore_status=404).indices.get_index_template(name=f"{prefix}-*")
    for template in templates.get("index_templates", []):
        if template["name"] not in {names.template(name) for name in keep}:
            client.indices.delete_index_template(name=template["name"])
