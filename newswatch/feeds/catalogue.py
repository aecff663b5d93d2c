"""The sources catalogue: a YAML file of the feeds and listing pages we poll.

Each entry::

    - id: music-business-worldwide        # slug, unique; the document id in the sources index
      name: Music Business Worldwide
      category: trade_press                # one of CATEGORIES
      language: en                         # ISO 639-1
      feeds: [https://www.musicbusinessworldwide.com/feed/]
      listing_url: https://...             # a page listing articles, for sources without a feed
      sitemaps: [https://.../news-sitemap.xml]  # instead of a feed: a (news) sitemap or sitemap index
      poll_interval_minutes: 30

An entry needs ``feeds``, ``sitemaps`` or ``listing_url``; sitemaps are polled
only when a source has no feeds, the listing page only when it has neither
(``newswatch.feeds.poller.polling_plan``, which also puts feeds and sitemaps
discovered on the site first). Loading validates every entry and reports
all problems at once, each naming the entry and the field. OPML export and
import let the catalogue travel to and from feed readers.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from newswatch.core.settings import PathSettings
from newswatch.fetching.urls import InvalidURL, canonicalize_url

DEFAULT_CATALOGUE = PathSettings.sources_file

CATEGORIES: dict[str, str] = {
    "trade_press": "music and creative-industry trade press",
    "tech_press": "technology press",
    "general_news": "general news outlets (their technology, culture and AI sections)",
    "industry_body": "labels, publishers, collecting societies and their trade associations",
    "advocacy": "artist and creator advocacy organisations and unions",
    "platform": "platforms' and AI companies' newsrooms and blogs",
    "policy": "copyright offices, governments, legislatures and regulators",
    "legal": "legal analysis and litigation trackers",
}
MIN_POLL_MINUTES = 5
MAX_POLL_MINUTES = 7 * 24 * 60
OPML_NAMESPACE = "urn:newswatch:opml:1"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class CatalogueError(ValueError):
    """One or more catalogue entries are invalid; ``problems`` has one line per field."""

    def __init__(self, origin: str, problems: list[str]):
        self.origin = origin
        self.problems = problems
        super().__init__(f"{origin}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def _http_url(value: str) -> str:
    try:
        canonicalize_url(value)
    except InvalidURL as exc:
        raise ValueError(str(exc)) from None
    if urlsplit(value.strip()).username is not None:
        # The fetcher never sends URL credentials, and a URL is stored and shown in failures and
        # source health: a secret there would only leak. Feeds behind a login are not supported.
        raise ValueError("credentials in a URL are refused (they would be stored and shown, never used)")
    return value.strip()


HttpURL = Annotated[str, AfterValidator(_http_url)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str
    name: str = Field(min_length=1)
    category: str
    language: str
    feeds: tuple[HttpURL, ...] = ()
    listing_url: HttpURL | None = None
    sitemaps: tuple[HttpURL, ...] = ()
    poll_interval_minutes: int = Field(ge=MIN_POLL_MINUTES, le=MAX_POLL_MINUTES)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("must be a slug: lowercase letters, digits, '-' or '_', at most 64 characters")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("language")
    @classmethod
    def _iso_language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2}", value):
            raise ValueError("must be a two-letter ISO 639-1 code such as 'en'")
        return value

    @field_validator("feeds", "sitemaps", mode="before")
    @classmethod
    def _url_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("must be a list of URLs, not a single string")
        return value

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _distinct_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len({canonicalize_url(url) for url in value}) != len(value):
            raise ValueError("lists the same URL twice")
        return value

    @model_validator(mode="after")
    def _has_something_to_poll(self) -> "Source":
        if not self.feeds and not self.sitemaps and not self.listing_url:
            raise ValueError("needs at least one of 'feeds', 'sitemaps' or 'listing_url'")
        return self

    def as_yaml_dict(self) -> dict:
        data = self.model_dump(exclude_none=True)
        data["feeds"] = list(self.feeds)
        if not self.feeds:
            del data["feeds"]
        data["sitemaps"] = list(self.sitemaps)
        if not self.sitemaps:
            del data["sitemaps"]
        return data


def _field_path(location: tuple) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _describe(index: int, raw: Any) -> str:
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    return f"entry #{index + 1}" + (f" (id {entry_id!r})" if entry_id else "")


def _entry_problems(index: int, raw: Any, error: ValidationError) -> list[str]:
    where = _describe(index, raw)
    problems = []
    for item in error.errors():
        field = _field_path(item["loc"])
        if item["type"] == "missing":
            message = "is required"
        elif item["type"] == "extra_forbidden":
            message = f"is not a known field (known: {', '.join(Source.model_fields)})"
        else:
            message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: field '{field}' {message}" if field else f"{where}: {message}")
    return problems


def parse_sources(entries: Any, origin: str = "catalogue") -> list[Source]:
    """Validate raw entries (a list of mappings); raise CatalogueError listing every problem."""
    if not isinstance(entries, list):
        raise CatalogueError(origin, ["expected a list of sources (or a mapping with a 'sources' list)"])
    sources: list[Source] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for index, raw in enumerate(entries):
        if not isinstance(raw, dict):
            problems.append(f"{_describe(index, raw)}: expected a mapping of fields, got {type(raw).__name__}")
            continue
        try:
            source = Source.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_entry_problems(index, raw, exc))
            continue
        where = _describe(index, raw)
        if f"id:{source.id}" in first_seen:
            problems.append(f"{where}: field 'id' duplicates {first_seen[f'id:{source.id}']}")
        first_seen.setdefault(f"id:{source.id}", where)
        for position, url in enumerate(source.feeds):
            key = f"feed:{canonicalize_url(url)}"
            if key in first_seen and first_seen[key] != where:
                problems.append(f"{where}: field 'feeds[{position}]' is already polled by {first_seen[key]}")
            first_seen.setdefault(key, where)
        sources.append(source)
    if problems:
        raise CatalogueError(origin, problems)
    return sources


def catalogue_from_yaml(text: str, origin: str = "catalogue") -> list[Source]:
    """Sources from YAML text: a ``sources:`` list (as in config/sources.yaml) or a bare list."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(origin, [f"not valid YAML: {exc}"]) from exc
    if isinstance(data, dict) and set(data) == {"sources"}:
        data = data["sources"]
    return parse_sources(data, origin=origin)


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> list[Source]:
    return catalogue_from_yaml(Path(path).read_text(encoding="utf-8"), origin=str(path))


def dump_catalogue(sources: Iterable[Source]) -> str:
    return yaml.safe_dump({"sources": [s.as_yaml_dict() for s in sources]}, sort_keys=False, allow_unicode=True, width=120)


# -- OPML ---------------------------------------------------------------------------------------

def export_opml(sources: Iterable[Source], title: str = "Newswatch sources") -> str:
    """OPML 2.0 with one folder per category and one outline per feed (or listing page).

    Standard attributes (text, type, xmlUrl, htmlUrl, language, category) serve
    feed readers; ``newswatch:id`` and ``newswatch:pollIntervalMinutes`` make
    the round trip back into the catalogue lossless.
    """
    ET.register_namespace("newswatch", OPML_NAMESPACE)
    opml = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(opml, "body")
    folders: dict[str, ET.Element] = {}
    for source in sources:
        folder = folders.get(source.category)
        if folder is None:
            folder = ET.SubElement(body, "outline", {"text": source.category, "title": CATEGORIES[source.category]})
            folders[source.category] = folder
        common = {
            "text": source.name,
            "title": source.name,
            "language": source.language,
            "category": f"/{source.category}",
            f"{{{OPML_NAMESPACE}}}id": source.id,
            f"{{{OPML_NAMESPACE}}}pollIntervalMinutes": str(source.poll_interval_minutes),
        }
        if source.listing_url:
            common["htmlUrl"] = source.listing_url
        if source.sitemaps:
            common[f"{{{OPML_NAMESPACE}}}sitemaps"] = " ".join(source.sitemaps)
        for feed in source.feeds:
            ET.SubElement(folder, "outline", {**common, "type": "rss", "xmlUrl": feed})
        if not source.feeds:
            ET.SubElement(folder, "outline", {**common, "type": "link", "url": source.listing_url or ""})
    ET.indent(opml)
    return ET.tostring(opml, encoding="unicode", xml_declaration=True) + "\n"


@dataclass(frozen=True)
class ImportDefaults:
    """Values for outlines that lack them (feed readers' OPML has no category or interval)."""

    category: str = "tech_press"
    language: str = "en"
    poll_interval_minutes: int = 60


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].rstrip("-") or "source"


def import_opml(text: str, defaults: ImportDefaults = ImportDefaults(), origin: str = "OPML") -> list[Source]:
    """Sources from OPML; outlines sharing ``newswatch:id`` merge into one multi-feed source."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise CatalogueError(origin, [f"not valid XML: {exc}"]) from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise CatalogueError(origin, ["not an OPML document (no <opml><body>)"])
    merged: dict[str, dict] = {}

    def visit(element: ET.Element, folder: str | None) -> None:
        for outline in element.findall("outline"):
            feed = outline.get("xmlUrl")
            listing = outline.get("url") if outline.get("type") == "link" else None
            sitemaps = (outline.get(f"{{{OPML_NAMESPACE}}}sitemaps") or "").split()
            if not feed and not listing and not sitemaps:  # a folder
                visit(outline, outline.get("text") or folder)
                continue
            name = outline.get("title") or outline.get("text") or feed or listing or ""
            category = (outline.get("category") or "").split(",")[0].strip().strip("/") or folder
            entry_id = outline.get(f"{{{OPML_NAMESPACE}}}id") or _slugify(name)
            entry = merged.setdefault(entry_id, {
                "id": entry_id,
                "name": name,
                "category": category if category in CATEGORIES else defaults.category,
                "language": (outline.get("language") or defaults.language).split("-")[0].lower(),
                "feeds": [],
                "poll_interval_minutes": outline.get(f"{{{OPML_NAMESPACE}}}pollIntervalMinutes") or defaults.poll_interval_minutes,
            })
            if sitemaps:
                entry["sitemaps"] = sitemaps
            if feed and feed not in entry["feeds"]:
                entry["feeds"].append(feed)
            if listing or outline.get("htmlUrl"):
                entry.setdefault("listing_url", listing or outline.get("htmlUrl"))

    visit(body, None)
    return parse_sources(list(merged.values()), origin=origin)


def merge_sources(existing: list[Source], incoming: list[Source]) -> tuple[list[Source], list[Source]]:
    """Existing sources plus the incoming ones whose id and feeds are new; returns (merged, added)."""
    known_ids = {s.id for s in existing}
    known_feeds = {canonicalize_url(f) for s in existing for f in s.feeds}
    added = [s for s in incoming if s.id not in known_ids and not known_feeds.intersection(canonicalize_url(f) for f in s.feeds)]
    return existing + added, added
