"""The one typed document model that travels between pipeline stages.

Stages are functions ``Article -> Article`` (or over lists of them); every stage
fills in its own fields and leaves the others alone, so a document can be
re-run through any later stage (re-enrichment after a model upgrade) without
re-fetching it. The model serialises to JSON for Airflow XComs and to the
Elasticsearch documents described in ``index_mappings/``.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from newswatch.core.secrets import redact

StanceLabel = Literal["favor", "against", "neutral", "uncertain"]
SpeakerType = Literal["person", "organization", "unknown"]
QuoteKind = Literal["direct", "mixed", "indirect"]
SpeechAct = Literal["claim", "demand", "question", "denial"]


def stable_id(*parts: str) -> str:
    """A deterministic document id: re-indexing the same thing overwrites it."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:40]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SourcedItem(BaseModel):
    """Where an item is and who published it: what a feed announces and every article keeps."""

    url: str
    canonical_url: str
    source_id: str
    source_name: str | None = None
    source_category: str | None = None
    title: str | None = None
    published_at: datetime | None = None

    @property
    def id(self) -> str:
        # The document id everywhere (articles, pending, failures): the hash of the canonical URL.
        return stable_id(self.canonical_url)


class FeedItem(SourcedItem):
    """One article announced by a feed or found on a listing page: the fetch stage's input."""

    found_at: str | None = None  # the feed or listing page URL


class Span(BaseModel):
    start: int
    end: int
    text: str


class StanceJudgement(BaseModel):
    """Stance towards one target: whether it is addressed at all, and the stance given that it is.

    On an article, ``quote_positions`` names the quotes that carried the aggregate label and
    ``from_text`` says whether the article's own text (title and lead) did too.
    """

    target_id: str
    label: StanceLabel
    probs: dict[str, float] = Field(default_factory=dict)
    confidence: float = 0.0
    addressed: float | None = None
    quote_positions: list[int] = Field(default_factory=list)
    from_text: bool = False


class Quote(BaseModel):
    position: int
    kind: QuoteKind
    text: str
    contents: list[Span] = Field(default_factory=list)
    source_mention: Span | None = None
    cue: Span | None = None
    speaker: str | None = None
    speaker_type: SpeakerType = "unknown"
    organization: str | None = None
    role: str | None = None
    speech_act: SpeechAct = "claim"
    relevance: float | None = None
    is_relevant: bool | None = None
    stance: list[StanceJudgement] = Field(default_factory=list)

    def document_id(self, article_id: str) -> str:
        return stable_id(article_id, str(self.position), self.text)


class Entities(BaseModel):
    people: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)


class Article(SourcedItem):
    authors: list[str] = Field(default_factory=list)
    fetched_at: datetime = Field(default_factory=utcnow)
    language: str | None = None
    site_name: str | None = None
    top_image: str | None = None
    text: str = ""
    html_ref: str | None = None
    content_hash: str | None = None
    simhash: str | None = None
    cluster_id: str | None = None
    summary: str | None = None
    relevance: float | None = None
    is_relevant: bool | None = None
    stance: list[StanceJudgement] = Field(default_factory=list)
    entities: Entities = Field(default_factory=Entities)
    quotes: list[Quote] = Field(default_factory=list)
    embedding: list[float] | None = None
    tags: list[str] = Field(default_factory=list)


MAX_ERROR_CHARS = 2000


class Failure(BaseModel):
    """An item that failed a stage: recorded in the ``failures`` index, never dropped."""

    stage: str
    error_type: str
    error: str
    item_id: str | None = None
    url: str | None = None
    source_id: str | None = None
    payload_ref: str | None = None
    run_id: str | None = None
    occurred_at: datetime = Field(default_factory=utcnow)

    @field_validator("error", "url", "payload_ref")
    @classmethod
    def _without_credentials(cls, value: str | None) -> str | None:
        return redact(value)

    @field_validator("error")
    @classmethod
    def _bounded(cls, value: str) -> str:
        # A page's worth of error text helps nobody in Kibana and can bloat the failures index.
        return value if len(value) <= MAX_ERROR_CHARS else value[: MAX_ERROR_CHARS - 1] + "…"

    @classmethod
    def from_exception(cls, stage: str, exc: BaseException, *, context: str | None = None, **where) -> "Failure":
        """The failure record of ``exc`` at ``stage``; ``where``: item_id, url, source_id, payload_ref, run_id."""
        message = str(exc) or repr(exc)
        return cls(stage=stage, error_type=type(exc).__name__, error=f"{context}: {message}" if context else message, **where)

    @property
    def id(self) -> str:
        # One record per (stage, item, run): a retried task overwrites, never duplicates.
        return stable_id(self.stage, self.item_id or self.url or self.payload_ref or "", self.run_id or "")
