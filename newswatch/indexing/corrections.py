"""Analysts' corrections of stance labels and speakers: logged, applied, re-applied, exported.

A correction is an append-only record in the ``corrections`` index (who, when, why, and what the
model had said). It is applied to the stored article or quote document at once, so every reader
(search, API, digest, Kibana) shows it without knowing about corrections, and it is applied again
to every document the pipeline writes, so reprocessing never brings the model's answer back.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from elasticsearch import Elasticsearch, NotFoundError, helpers

from newswatch.core.labels import MODEL_LABELS, NOT_ADDRESSED
from newswatch.core.model import stable_id, utcnow
from newswatch.indexing.schema import IndexNames

CORRECTED_INDICES = ("articles", "quotes")
# Corrections looked up per write batch: far more than any batch's documents will ever have.
MAX_CORRECTIONS_PER_BATCH = 10_000


class CorrectionError(ValueError):
    """A correction that cannot be made (unknown label or target, no editor); the message says why."""


class UnknownDocument(CorrectionError):
    """No article or quote has the given id."""


@dataclass(frozen=True)
class Located:
    index: str
    doc_id: str
    document: dict


def locate(client: Elasticsearch, prefix: str, doc_id: str, indices: Iterable[str] = CORRECTED_INDICES) -> Located:
    names = IndexNames(prefix)
    for index in indices:
        found = client.options(ignore_status=404).get(index=names.alias(index), id=doc_id)
        if found.get("found"):
            return Located(index, doc_id, found["_source"])
    raise UnknownDocument(f"no {' or '.join(indices)} document with id {doc_id!r}")


def stance_labels_of(stance: list[dict]) -> list[str]:
    return [f"{entry['target_id']}:{entry['label']}" for entry in stance]


def apply_correction(document: dict, correction: dict) -> dict:
    """The document as the correction says it should read (a new dict; the input is left as it was)."""
    corrected = dict(document)
    if correction["kind"] == "stance":
        target, label = correction["target_id"], correction["label"]
        kept = [entry for entry in document.get("stance") or [] if entry.get("target_id") != target]
        if label != NOT_ADDRESSED:
            kept.append({"target_id": target, "label": label, "corrected_by": correction["editor"]})
        corrected["stance"] = kept
        corrected["stance_labels"] = stance_labels_of(kept)
    else:
        corrected["speaker"] = correction["speaker"]
        corrected["organization"] = correction.get("organization")
        corrected["speaker_corrected_by"] = correction["editor"]
    return corrected


def _model_values(located: Located, target_id: str | None) -> dict:
    if target_id is not None:
        labels = [e["label"] for e in located.document.get("stance") or [] if e.get("target_id") == target_id]
        return {"model_label": labels[0] if labels else NOT_ADDRESSED}
    return {"model_speaker": located.document.get("speaker"), "model_organization": located.document.get("organization")}


def _record(client: Elasticsearch, prefix: str, located: Located, fields: dict, editor: str, reason: str | None,
            now: datetime | None) -> dict:
    if not editor.strip():
        raise CorrectionError("an editor name is required: every correction says who made it")
    moment = (now or utcnow()).isoformat()
    correction = {
        "@timestamp": moment, "index": located.index, "doc_id": located.doc_id,
        "article_id": located.document.get("article_id") or located.doc_id,
        "text": located.document.get("text") if located.index == "quotes" else located.document.get("title"),
        "editor": editor.strip(), "reason": reason, **fields, **_model_values(located, fields.get("target_id")),
    }
    names = IndexNames(prefix)
    correction_id = stable_id(correction["kind"], located.doc_id, fields.get("target_id") or "", moment)
    client.index(index=names.alias("corrections"), id=correction_id, document=correction, refresh=True)
    client.index(index=names.alias(located.index), id=located.doc_id, document=apply_correction(located.document, correction),
                 refresh=True)
    if located.index == "quotes" and correction["kind"] == "speaker":
        _refresh_article_speakers(client, prefix, correction["article_id"])
    return correction


def _refresh_article_speakers(client: Elasticsearch, prefix: str, article_id: str) -> None:
    """The article's speaker list follows its quotes, so article search by speaker sees the correction."""
    names = IndexNames(prefix)
    quotes = client.search(index=names.alias("quotes"), query={"term": {"article_id": article_id}}, size=1000,
                           source_includes=["speaker"])["hits"]["hits"]
    speakers = sorted({q["_source"]["speaker"] for q in quotes if q["_source"].get("speaker")})
    client.options(ignore_status=404).update(index=names.alias("articles"), id=article_id, doc={"speakers": speakers},
                                             refresh=True)


def correct_stance(client: Elasticsearch, prefix: str, doc_id: str, target_id: str, label: str, editor: str,
                   known_targets: Iterable[str], reason: str | None = None, now: datetime | None = None) -> dict:
    """Set the stance of an article or a quote toward one target (``not_addressed`` removes it)."""
    known = tuple(known_targets)
    if target_id not in known:
        raise CorrectionError(f"unknown target {target_id!r}; known targets: {', '.join(known)}")
    if label not in MODEL_LABELS:
        raise CorrectionError(f"unknown label {label!r}; use one of {', '.join(MODEL_LABELS)}")
    located = locate(client, prefix, doc_id)
    return _record(client, prefix, located, {"kind": "stance", "target_id": target_id, "label": label}, editor, reason, now)


def correct_speaker(client: Elasticsearch, prefix: str, quote_id: str, speaker: str, organization: str | None,
                    editor: str, reason: str | None = None, now: datetime | None = None) -> dict:
    if not speaker.strip():
        raise CorrectionError("a speaker name is required")
    located = locate(client, prefix, quote_id, indices=("quotes",))
    fields = {"kind": "speaker", "speaker": speaker.strip(), "organization": (organization or "").strip() or None}
    return _record(client, prefix, located, fields, editor, reason, now)


def corrections_for(client: Elasticsearch, prefix: str, doc_ids: list[str]) -> dict[str, list[dict]]:
    """Each document's corrections, oldest first (a later one overrides an earlier one)."""
    if not doc_ids:
        return {}
    try:
        hits = client.search(
            index=IndexNames(prefix).alias("corrections"), query={"terms": {"doc_id": doc_ids}},
            sort=[{"@timestamp": "asc"}], size=MAX_CORRECTIONS_PER_BATCH,
        )["hits"]["hits"]
    except NotFoundError:  # a cluster set up before corrections existed has none to apply
        return {}
    found: dict[str, list[dict]] = {}
    for hit in hits:
        found.setdefault(hit["_source"]["doc_id"], []).append(hit["_source"])
    return found


def with_corrections(documents: dict[str, dict], corrections: dict[str, list[dict]]) -> dict[str, dict]:
    """Documents about to be written, each with its corrections applied in order."""
    result = {}
    for doc_id, document in documents.items():
        for correction in corrections.get(doc_id, []):
            document = apply_correction(document, correction)
        result[doc_id] = document
    return result


def all_corrections(client: Elasticsearch, prefix: str) -> Iterator[dict]:
    hits = helpers.scan(client, index=IndexNames(prefix).alias("corrections"), query={"sort": [{"@timestamp": "asc"}]},
                        preserve_order=True)
    for hit in hits:
        yield hit["_source"]


def training_records(corrections: Iterable[dict]) -> list[dict]:
    """The latest correction per (document, target) as a training example for the stance or quote model."""
    latest: dict[tuple[str, str, str], dict] = {}
    for correction in corrections:
        latest[(correction["kind"], correction["doc_id"], correction.get("target_id") or "")] = correction
    records = []
    for correction in latest.values():
        record = {"task": correction["kind"], "doc_id": correction["doc_id"], "index": correction["index"],
                  "text": correction.get("text"), "editor": correction["editor"], "corrected_at": correction["@timestamp"]}
        if correction["kind"] == "stance":
            record.update(target_id=correction["target_id"], label=correction["label"], model_label=correction.get("model_label"))
        else:
            record.update(speaker=correction["speaker"], organization=correction.get("organization"),
                          model_speaker=correction.get("model_speaker"))
        records.append(record)
    return records
