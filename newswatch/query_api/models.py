"""Request parameters and response bodies of the query API (they are also its OpenAPI description).

Every request parameter is bounded: lengths, list sizes, value patterns and
date years. Unknown parameters are refused, so a typo never silently widens a
query.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from newswatch.enrichment.profile import load_profile

StanceLabelName = Literal["favor", "against", "neutral", "uncertain"]

MAX_QUERY_LENGTH = 300
MAX_QUERY_NESTING = 8
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"

FilterValue = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]


# Lucene query_string syntax that the simple syntax does not have (fields, ranges, boosts, fuzziness,
# regexes, escapes, boolean symbols): refused with a clear 4xx rather than silently read as words.
NOT_SIMPLE_SYNTAX = re.compile(r"[{}\[\]^~\\/<>=:!]|&&|\|\|")


def nesting_depth(text: str) -> int:
    """Deepest parenthesis nesting; -1 when the parentheses do not balance."""
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
            if depth < 0:
                return -1
    return deepest if depth == 0 else -1


def check_simple_query(text: str) -> str:
    found = NOT_SIMPLE_SYNTAX.search(text)
    if found:
        raise ValueError(
            f"query syntax {found.group()!r} is not supported: use words, \"a phrase\", -exclude, a | b, prefix*, (group)"
        )
    if text.count('"') % 2:
        raise ValueError("unbalanced quotation mark")
    depth = nesting_depth(text)
    if depth < 0:
        raise ValueError("unbalanced parentheses")
    if depth > MAX_QUERY_NESTING:
        raise ValueError(f"parentheses nest deeper than {MAX_QUERY_NESTING} levels")
    return text


def profile_target_ids() -> tuple[str, ...]:
    """The stance targets of the configured topic profile: the only ids ``target`` accepts."""
    return tuple(target.id for target in load_profile().targets)


class Filters(BaseModel):
    """Filters shared by every search, aggregation and export."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        pattern=NO_CONTROL_CHARACTERS,
        description=(
            "Full-text query in simple syntax: words (all must match), \"exact phrase\", -exclude, a | b, "
            "prefix*, (grouping). Other query syntax (field:value, ranges, boosts, regexes, escapes) and "
            "unbalanced quotes or parentheses are refused with 422."
        ),
    )
    speaker: FilterValue | None = Field(None, description="Quoted speaker, exact name, case-insensitive")
    organization: FilterValue | None = Field(None, description="Organisation, exact name, case-insensitive")
    target: Identifier | None = Field(None, description="Stance target id of the topic profile, e.g. consent (an unknown id is refused with 422 listing the known ones)")
    label: StanceLabelName | None = Field(None, description="Stance label (combined with target when both are given)")
    source: list[Identifier] = Field(default_factory=list, max_length=20, description="Source ids (any of)")
    date_from: datetime | None = Field(None, alias="from", description="Earliest publication time (ISO 8601; UTC if no zone)")
    date_to: datetime | None = Field(None, alias="to", description="Latest publication time (ISO 8601; default now)")
    min_relevance: float | None = Field(None, ge=0.0, le=1.0, description="Minimum relevance score")
    relevant_only: bool = Field(False, description="Only items the relevance model marked relevant")
    titles: bool = Field(False, description="On quotes, let q match the article's title too (default: the quote's text and speaker only)")

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str | None) -> str | None:
        known = profile_target_ids()
        if value is not None and value not in known:
            raise ValueError(f"unknown target {value!r}; known targets: {', '.join(known)}")
        return value

    @field_validator("q")
    @classmethod
    def _simple_syntax_only(cls, value: str | None) -> str | None:
        return value if value is None else check_simple_query(value)

    @field_validator("date_from", "date_to")
    @classmethod
    def _utc_and_plausible(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class SearchParams(Filters):
    size: int | None = Field(None, ge=1, le=1000, description="Page size (default and maximum set by the server)")
    cursor: str | None = Field(None, max_length=2048, description="next_cursor of the previous page, with the same filters")
    sort: Literal["newest", "oldest", "relevance"] = "newest"


class ArticleSearchParams(SearchParams):
    include_quotes: bool = Field(True, description="Attach the first quotes of each article")


class SemanticParams(Filters):
    q: str = Field(..., min_length=1, max_length=MAX_QUERY_LENGTH, pattern=NO_CONTROL_CHARACTERS,
                   description="Text to find articles similar in meaning to")
    size: int | None = Field(None, ge=1, le=1000, description="Number of nearest articles")


class StanceTrendParams(Filters):
    interval: Literal["day", "week", "month"] = "week"
    index: Literal["articles", "quotes"] = Field("articles", description="Count articles or quotes")


class TopParams(Filters):
    size: int = Field(10, ge=1, le=50, description="Number of entries")


class ExportParams(Filters):
    format: Literal["csv", "ndjson"] = "csv"
    limit: int | None = Field(None, ge=1, description="Rows wanted; never more than the server's row cap")
    sort: Literal["newest", "oldest"] = "newest"


# ---- responses ---------------------------------------------------------------------------


class StanceOut(BaseModel):
    target_id: str
    label: str
    confidence: float | None = None


class QuoteSnippet(BaseModel):
    id: str
    text: str | None = None
    speaker: str | None = None
    organization: str | None = None
    kind: str | None = None
    stance: list[StanceOut] = Field(default_factory=list)


class ArticleOut(BaseModel):
    id: str
    url: str | None = Field(None, description="Link to the publisher's page")
    title: str | None = None
    source_id: str | None = None
    source_name: str | None = None
    source_category: str | None = None
    published_at: str | None = None
    authors: list[str] = Field(default_factory=list)
    language: str | None = None
    summary: str | None = None
    relevance: float | None = None
    is_relevant: bool | None = None
    stance: list[StanceOut] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    speakers: list[str] = Field(default_factory=list)
    quote_count: int | None = None
    cluster_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    score: float | None = None
    quotes: list[QuoteSnippet] = Field(default_factory=list)
    text: str | None = Field(None, description="Full text: only when the server is configured to share it")


class QuoteOut(BaseModel):
    id: str
    text: str | None = None
    speaker: str | None = None
    speaker_type: str | None = None
    organization: str | None = None
    role: str | None = None
    kind: str | None = None
    speech_act: str | None = Field(None, description="claim, demand, question or denial: a reported demand is not the demander's claim")
    cue: str | None = None
    relevance: float | None = None
    is_relevant: bool | None = None
    stance: list[StanceOut] = Field(default_factory=list)
    published_at: str | None = None
    source_id: str | None = None
    source_name: str | None = None
    article_id: str | None = None
    article_title: str | None = None
    article_url: str | None = None
    score: float | None = None


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int = Field(description="Matching items (a lower bound when total_is_exact is false)")
    total_is_exact: bool
    next_cursor: str | None = Field(None, description="Pass as cursor for the next page; null on the last page")


class SemanticResult(BaseModel):
    items: list[ArticleOut]


class TrendPoint(BaseModel):
    date: str
    counts: dict[str, int] = Field(description="Items per stance label in this interval")


class TrendSeries(BaseModel):
    target: str
    points: list[TrendPoint]


class StanceTrend(BaseModel):
    index: str
    interval: str
    window: tuple[str, str]
    series: list[TrendSeries]


class TopEntry(BaseModel):
    value: str
    count: int
    label: str | None = Field(None, description="Display name (source name, or the speaker's organisation)")
    stance: dict[str, int] = Field(default_factory=dict, description="Counts per target:label")


class TopResult(BaseModel):
    facet: str
    index: str
    window: tuple[str, str]
    entries: list[TopEntry]


class StanceCorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier = Field(..., description="Id of the article or quote (the `id` of a search result)")
    target: Identifier = Field(..., description="Stance target id of the topic profile, e.g. consent")
    label: Literal["favor", "against", "neutral", "not_addressed"] = Field(
        ..., description="The right label; not_addressed removes the target from the item")
    reason: str | None = Field(None, max_length=1000, pattern=NO_CONTROL_CHARACTERS)


class SpeakerCorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier = Field(..., description="Id of the quote")
    speaker: FilterValue = Field(..., description="Who said it, as analysts should see the name")
    organization: FilterValue | None = Field(None, description="The speaker's organisation, if any")
    reason: str | None = Field(None, max_length=1000, pattern=NO_CONTROL_CHARACTERS)


class CorrectionOut(BaseModel):
    kind: str
    index: str
    id: str
    editor: str
    corrected_at: str
    target_id: str | None = None
    label: str | None = None
    model_label: str | None = None
    speaker: str | None = None
    organization: str | None = None
    model_speaker: str | None = None


class ErrorDetail(BaseModel):
    field: str | None = None
    problem: str


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorInfo
