"""Feed polling: which sources are due, what each one yielded, and how healthy it is.

One poll run:

1. reads every catalogue source's state from the ``sources`` index (so any
   worker can poll any source) and keeps the ones whose ``next_poll_at`` has come;
2. polls them concurrently with the shared safe fetcher, each the way
   ``polling_plan`` picks: feeds (catalogue or discovered) with a conditional GET
   (ETag / Last-Modified), else sitemaps, else the listing page, whose article
   links are taken and whose announced feeds are discovered (``discovery``);
   discovered feeds or sitemaps that fail fall back to the listing page, and a
   catalogue feed that keeps failing while its site answers gets rediscovery;
3. keeps every good entry, even from a malformed feed, and turns every problem
   into a ``Failure`` (recorded in the ``failures`` index);
4. writes each source's new state: a failing source backs off exponentially and
   after ``unhealthy_after`` failures in a row is marked unhealthy, but it is
   always polled again, never dropped.

The pure part (``poll_source``, ``next_state``) takes a state and returns a new
one; Elasticsearch is touched only by ``read_states``, ``write_states``,
``drop_known_items`` and ``run_poll``.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

import feedparser
from elasticsearch import Elasticsearch, NotFoundError

from newswatch.core.model import Failure, FeedItem, stable_id, utcnow
from newswatch.feeds.catalogue import Source
from newswatch.feeds.discovery import Discovery, discover, same_site, site_home
from newswatch.feeds.feed_parsing import entry_link, parse_feed
from newswatch.feeds.listing import discover_article_links
from newswatch.feeds.sitemaps import (
    ParsedSitemap,
    SitemapError,
    SitemapPolicy,
    fetch_sitemap,
    read_sitemap,
)
from newswatch.fetching.errors import FetchError
from newswatch.fetching.safe_fetch import Fetcher, FetchResult
from newswatch.fetching.urls import InvalidURL, canonicalize_url
from newswatch.indexing.bulk import BulkReport, IndexAction, Indexer
from newswatch.indexing.schema import IndexNames
from newswatch.indexing.store import existing_article_ids

log = logging.getLogger(__name__)

STAGE = "poll"
# Clock skew we tolerate before calling a feed's date "in the future".
FUTURE_TOLERANCE = timedelta(minutes=10)
# How a source is polled (``polling_plan``), as recorded in the sources index.
POLLED_BY = ("feeds", "discovered_feeds", "sitemaps", "discovered_sitemaps", "listing_page")


@dataclass(frozen=True)
class PollPolicy:
    unhealthy_after: int = 5  # consecutive failed polls
    max_backoff: timedelta = timedelta(hours=24)
    max_workers: int = 16
    listing_link_limit: int = 100
    # A feed of 21,000 entries is an archive, not news: only its newest entries are taken.
    max_entries_per_feed: int = 200
    # Failed polls in a row of a catalogue feed or sitemap before its site is searched for a replacement.
    rediscover_after: int = 3
    sitemaps: SitemapPolicy = field(default_factory=SitemapPolicy)


@dataclass
class SourceState:
    """What the ``sources`` index keeps per source between polls."""

    source_id: str
    etags: dict[str, str] = field(default_factory=dict)  # polled URL -> ETag
    last_modified: dict[str, str] = field(default_factory=dict)  # polled URL -> Last-Modified
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    consecutive_failures: int = 0
    healthy: bool = True
    last_status: int | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    entries_seen: int = 0
    polled_by: str | None = None  # one of POLLED_BY
    discovered_feeds: list[str] = field(default_factory=list)
    discovered_sitemaps: list[str] = field(default_factory=list)
    discovery_checked_at: datetime | None = None  # platform paths and robots.txt: checked once
    last_new_item_at: datetime | None = None  # last poll that found an article not indexed yet

    def is_due(self, now: datetime) -> bool:
        return self.next_poll_at is None or self.next_poll_at <= now

    @classmethod
    def from_document(cls, source_id: str, doc: dict) -> "SourceState":
        return cls(
            source_id=source_id,
            etags=_pairs_to_dict(doc.get("etag")),
            last_modified=_pairs_to_dict(doc.get("last_modified")),
            last_polled_at=_parse_time(doc.get("last_polled_at")),
            last_success_at=_parse_time(doc.get("last_success_at")),
            next_poll_at=_parse_time(doc.get("next_poll_at")),
            consecutive_failures=int(doc.get("consecutive_failures") or 0),
            healthy=bool(doc.get("healthy", True)),
            last_status=doc.get("last_status"),
            last_error=doc.get("last_error"),
            last_error_at=_parse_time(doc.get("last_error_at")),
            entries_seen=int(doc.get("entries_seen") or 0),
            polled_by=doc.get("polled_by"),
            discovered_feeds=_as_list(doc.get("discovered_feeds")),
            discovered_sitemaps=_as_list(doc.get("discovered_sitemaps")),
            discovery_checked_at=_parse_time(doc.get("discovery_checked_at")),
            last_new_item_at=_parse_time(doc.get("last_new_item_at")),
        )

    def to_document(self, source: Source) -> dict:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "@timestamp": iso(self.last_polled_at or utcnow()),
            "source_id": source.id,
            "name": source.name,
            "category": source.category,
            "language": source.language,
            "feed_urls": list(source.feeds),
            "sitemap_urls": list(source.sitemaps),
            "listing_url": source.listing_url,
            "poll_interval_minutes": source.poll_interval_minutes,
            # The mapping has one keyword per field, so per-URL values travel as "URL VALUE" pairs.
            "etag": [f"{url} {value}" for url, value in sorted(self.etags.items())],
            "last_modified": [f"{url} {value}" for url, value in sorted(self.last_modified.items())],
            "last_polled_at": iso(self.last_polled_at),
            "last_success_at": iso(self.last_success_at),
            "next_poll_at": iso(self.next_poll_at),
            "consecutive_failures": self.consecutive_failures,
            "healthy": self.healthy,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at),
            "entries_seen": self.entries_seen,
            "polled_by": self.polled_by,
            "discovered_feeds": self.discovered_feeds,
            "discovered_sitemaps": self.discovered_sitemaps,
            "discovery_checked_at": iso(self.discovery_checked_at),
            "last_new_item_at": iso(self.last_new_item_at),
        }


def _as_list(values: list[str] | str | None) -> list[str]:
    return [values] if isinstance(values, str) else list(values or [])


def _pairs_to_dict(values: list[str] | str | None) -> dict[str, str]:
    if isinstance(values, str):
        values = [values]
    pairs = (value.split(" ", 1) for value in values or [] if " " in value)
    return {url: value for url, value in pairs}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass
class TargetOutcome:
    """The result of polling one feed or listing page."""

    url: str
    items: list[FeedItem] = field(default_factory=list)
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: Failure | None = None  # set when the target failed (back off)
    warnings: list[Failure] = field(default_factory=list)  # recorded, but the target delivered
    page: FetchResult | None = None  # a listing page's answer, read again for the feeds it announces


@dataclass
class SourcePoll:
    source: Source
    state: SourceState  # the new state
    items: list[FeedItem]
    failures: list[Failure]


@dataclass
class PollReport:
    items: list[FeedItem] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    polls: list[SourcePoll] = field(default_factory=list)
    not_due: int = 0

    def summary(self) -> str:
        failed = sum(1 for p in self.polls if p.state.consecutive_failures)
        unhealthy = sum(1 for p in self.polls if not p.state.healthy)
        return (
            f"polled={len(self.polls)} not_due={self.not_due} items={len(self.items)} "
            f"failures={len(self.failures)} failing_sources={failed} unhealthy={unhealthy}"
        )


# -- one target -----------------------------------------------------------------------------------

def _failure(source: Source, url: str, error_type: str, message: str, run_id: str | None) -> Failure:
    return Failure(
        stage=STAGE, error_type=error_type, error=message, url=url, source_id=source.id,
        item_id=stable_id(source.id, url, error_type), run_id=run_id,
    )


def _entry_time(entry: dict, now: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                when = datetime(*parsed[:6], tzinfo=timezone.utc)
            except (TypeError, ValueError):
                continue
            # A date in the future is a feed bug; the extractor falls back to the page's date.
            return when if when <= now + FUTURE_TOLERANCE else None
    return None


def _item(source: Source, found_at: str, url: str | None, title: str | None, published: datetime | None) -> FeedItem | None:
    if not url:
        return None
    try:
        canonical = canonicalize_url(url)
    except InvalidURL:
        return None
    clean_title = " ".join(title.split()) if title else None
    return FeedItem(url=url.strip(), canonical_url=canonical, source_id=source.id, title=clean_title or None,
                    published_at=published, found_at=found_at)


def newest_entries(entries: list, limit: int, now: datetime) -> list:
    """The ``limit`` newest entries (undated ones count as oldest), in feed order."""
    if len(entries) <= limit:
        return list(entries)
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    ranked = sorted(range(len(entries)), key=lambda i: (_entry_time(entries[i], now) or oldest, -i), reverse=True)
    return [entries[i] for i in sorted(ranked[:limit])]


def _feed_items(source: Source, url: str, result: FetchResult, now: datetime, run_id: str | None, max_entries: int) -> TargetOutcome:
    outcome = TargetOutcome(url, status=result.status, etag=result.etag, last_modified=result.last_modified)
    parsed = parse_feed(result)
    skipped = 0
    entries = newest_entries(parsed.entries, max_entries, now)
    if len(entries) < len(parsed.entries):
        outcome.warnings.append(_failure(
            source, url, "feed_truncated", f"feed has {len(parsed.entries)} entries; only the newest {max_entries} were taken [{url}]", run_id))
    for entry in entries:
        item = _item(source, url, entry_link(entry), entry.get("title"), _entry_time(entry, now))
        if item is None:
            skipped += 1
        else:
            outcome.items.append(item)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.exceptions.CharacterEncodingOverride):
        problem = None  # we re-encoded the text ourselves; the override is expected
    if problem is not None:
        message = f"malformed feed: {type(problem).__name__}: {problem} ({len(outcome.items)} good entries kept) [{url}]"
        failure = _failure(source, url, "malformed_feed", message, run_id)
        if outcome.items:
            outcome.warnings.append(failure)
        else:
            outcome.error = failure
    elif not parsed.get("version") and not parsed.entries:
        outcome.error = _failure(source, url, "not_a_feed", f"no RSS/Atom structure found [{url}]", run_id)
    if skipped:
        outcome.warnings.append(_failure(
            source, url, "entry_without_link", f"{skipped} feed entries had no usable http(s) link and were skipped [{url}]", run_id))
    return outcome


def _sitemap_outcome(
    fetcher: Fetcher, source: Source, url: str, result: FetchResult, parsed: ParsedSitemap, now: datetime,
    run_id: str | None, policy: PollPolicy,
) -> TargetOutcome:
    outcome = TargetOutcome(url, status=result.status, etag=result.etag, last_modified=result.last_modified)
    read = read_sitemap(fetcher, parsed, lambda page: same_site(page, url), policy.sitemaps, now)
    for problem in read.problems:
        reason = problem.reason if isinstance(problem, FetchError) else "bad_sitemap"
        outcome.warnings.append(_failure(source, getattr(problem, "url", url), reason, str(problem), run_id))
    if read.skipped_children:
        outcome.warnings.append(_failure(
            source, url, "sitemap_truncated",
            f"sitemap index lists {len(parsed.children)} sitemaps; only the newest {policy.sitemaps.max_sitemaps} on the site were read [{url}]", run_id))
    for entry in read.entries:
        item = _item(source, url, entry.url, entry.title, entry.published)
        if item is not None:
            outcome.items.append(item)
    if not outcome.items and read.problems:
        outcome.error = outcome.warnings.pop(0)  # every child sitemap was refused: the target failed
    return outcome


def poll_target(
    fetcher: Fetcher, source: Source, url: str, state: SourceState, now: datetime, run_id: str | None,
    policy: PollPolicy = PollPolicy(), kind: str = "feed",
) -> TargetOutcome:
    """Poll one feed, sitemap or listing page (``kind``: feed, sitemap, listing); never raises for bad input."""
    validators = {"etag": state.etags.get(url), "last_modified": state.last_modified.get(url)}
    parsed = None
    try:
        if kind == "sitemap":
            result, parsed = fetch_sitemap(fetcher, url, **validators)
        else:
            result = fetcher.fetch(url, expect=("feed",) if kind == "feed" else ("html",), **validators)
    except FetchError as exc:
        return TargetOutcome(url, status=exc.status, error=_failure(source, url, exc.reason, str(exc), run_id))
    except SitemapError as exc:
        return TargetOutcome(url, error=_failure(source, url, "bad_sitemap", str(exc), run_id))
    if result.not_modified:
        return TargetOutcome(url, status=304, etag=result.etag or state.etags.get(url),
                             last_modified=result.last_modified or state.last_modified.get(url))
    if kind == "feed":
        outcome = _feed_items(source, url, result, now, run_id, policy.max_entries_per_feed)
    elif parsed is not None:
        outcome = _sitemap_outcome(fetcher, source, url, result, parsed, now, run_id, policy)
    else:
        outcome = TargetOutcome(url, status=result.status, etag=result.etag, last_modified=result.last_modified, page=result)
        for link in discover_article_links(result.text, result.final_url, limit=policy.listing_link_limit):
            item = _item(source, url, link.url, link.title, None)
            if item is not None:
                outcome.items.append(item)
        if not outcome.items:
            outcome.warnings.append(_failure(source, url, "no_links_found", f"listing page yielded no article links [{url}]", run_id))
    if result.charset_mismatch:
        assert result.decoded is not None
        outcome.warnings.append(_failure(
            source, url, "charset_mismatch",
            f"declared charset {result.decoded.declared!r} is wrong; decoded as {result.decoded.encoding} [{url}]", run_id))
    return outcome


# -- one source -------------------------------------------------------------------------------------

def next_state(source: Source, state: SourceState, outcomes: list[TargetOutcome], now: datetime, policy: PollPolicy) -> SourceState:
    """The state after one poll: success resets the back-off, failure doubles it (capped)."""
    errors = [o.error for o in outcomes if o.error]
    interval = timedelta(minutes=source.poll_interval_minutes)
    # A failed target keeps its old validators: storing those of a broken answer would turn the
    # next poll into a 304 "success" that hides the problem.
    etags = {o.url: state.etags.get(o.url) if o.error else o.etag for o in outcomes}
    modified = {o.url: state.last_modified.get(o.url) if o.error else o.last_modified for o in outcomes}
    new = replace(
        state,
        etags={url: value for url, value in etags.items() if value},
        last_modified={url: value for url, value in modified.items() if value},
        last_polled_at=now,
        entries_seen=state.entries_seen + sum(len(o.items) for o in outcomes),
    )
    failed_statuses = [o.status for o in outcomes if o.error and o.status]
    new.last_status = failed_statuses[0] if failed_statuses else next((o.status for o in reversed(outcomes) if o.status), None)
    problems = errors + [w for o in outcomes for w in o.warnings if w.error_type == "malformed_feed"]
    if problems:
        new.last_error = "; ".join(p.error for p in problems)[:4000]
        new.last_error_at = now
    if errors:
        new.consecutive_failures = state.consecutive_failures + 1
        backoff = interval * (2 ** min(new.consecutive_failures, 16))
        new.next_poll_at = now + min(backoff, max(policy.max_backoff, interval))
        new.healthy = new.consecutive_failures < policy.unhealthy_after
    else:
        new.consecutive_failures = 0
        new.healthy = True
        new.last_success_at = now
        new.next_poll_at = now + interval
    return new


def polling_plan(source: Source, state: SourceState) -> tuple[str, list[str]]:
    """How a source is polled now (one of POLLED_BY) and its targets. Discovered feeds or sitemaps
    come first: a source has them only when it had no feed or its catalogue ones kept failing.
    Then the catalogue's feeds, its sitemaps, and last the listing page."""
    if state.discovered_feeds:
        return "discovered_feeds", list(state.discovered_feeds)
    if state.discovered_sitemaps:
        return "discovered_sitemaps", list(state.discovered_sitemaps)
    if source.feeds:
        return "feeds", list(source.feeds)
    if source.sitemaps:
        return "sitemaps", list(source.sitemaps)
    return "listing_page", [source.listing_url or ""]


def _kind_of(way: str) -> str:
    return "listing" if way == "listing_page" else "sitemap" if way.endswith("sitemaps") else "feed"


def _rediscover(fetcher: Fetcher, source: Source, failing: list[str]) -> Discovery | None:
    """Search the site for feeds or sitemaps other than the failing ones; None when the site does not answer."""
    home = site_home(source)
    try:
        page = fetcher.fetch(home, expect=("html",))
    except FetchError:
        return None
    return discover(fetcher, page, home, thorough=True, skip=tuple(failing))


def _demote_replaced(outcomes: list[TargetOutcome]) -> None:
    """The errors of targets a working replacement stood in for: recorded as warnings, not a failed poll;
    a listing page without links is no news once a discovered feed or sitemap delivered."""
    for outcome in outcomes:
        outcome.warnings = [w for w in outcome.warnings if w.error_type != "no_links_found"]
        if outcome.error:
            outcome.warnings.insert(0, outcome.error)
            outcome.error = None


def poll_source(
    fetcher: Fetcher, source: Source, state: SourceState, now: datetime, run_id: str | None, policy: PollPolicy = PollPolicy(),
) -> SourcePoll:
    way, targets = polling_plan(source, state)

    def poll_all(urls: list[str], kind: str) -> list[TargetOutcome]:
        results = []
        for url in urls:
            try:
                results.append(poll_target(fetcher, source, url, state, now, run_id, policy, kind))
            except Exception as exc:  # noqa: BLE001 - a parser bug on one feed must not stop the run
                log.exception("unexpected error polling %s", url)
                results.append(TargetOutcome(url, error=_failure(source, url, "internal_error", f"{type(exc).__name__}: {exc} [{url}]", run_id)))
        return results

    outcomes = poll_all(targets, _kind_of(way))

    def stand_in(new_way: str, urls: list[str]) -> None:
        """Poll the targets that take over in this same poll; their items (titles, dates) come first."""
        nonlocal outcomes, way
        replacement = poll_all(urls, _kind_of(new_way))
        if not all(o.error for o in replacement):
            _demote_replaced(outcomes)
        outcomes, way = replacement + outcomes, new_way

    discovered = {"discovered_feeds": state.discovered_feeds, "discovered_sitemaps": state.discovered_sitemaps,
                  "discovery_checked_at": state.discovery_checked_at}
    all_failed = all(o.error for o in outcomes)
    discovery = None
    if way == "listing_page" and outcomes[0].page is not None:
        # Announced feeds at every listing poll; platform paths and robots.txt once.
        discovery = discover(fetcher, outcomes[0].page, targets[0], thorough=state.discovery_checked_at is None)
    elif all_failed and way in ("discovered_feeds", "discovered_sitemaps"):
        # Discovered targets are a convenience: when they fail, forget them and poll as before.
        discovered.update(discovered_feeds=[], discovered_sitemaps=[])
        fallback, fallback_targets = polling_plan(source, SourceState(source.id))
        if fallback != way:
            stand_in(fallback, fallback_targets)
    elif all_failed and way in ("feeds", "sitemaps") and state.consecutive_failures + 1 >= policy.rediscover_after:
        discovery = _rediscover(fetcher, source, targets)
    if discovery is not None:
        discovered["discovery_checked_at"] = now
        if discovery.feeds or discovery.sitemaps:
            discovered.update(discovered_feeds=discovery.feeds, discovered_sitemaps=[] if discovery.feeds else discovery.sitemaps)
            stand_in(*(("discovered_feeds", discovery.feeds) if discovery.feeds else ("discovered_sitemaps", discovery.sitemaps)))
        refused = [c for c in discovery.checks if not c.accepted]
        if refused:
            outcomes[-1].warnings.extend(
                _failure(source, c.url, "discovery_refused", f"{c.kind} candidate ({c.how}) refused: {c.detail} [{c.url}]", run_id)
                for c in refused)
    seen: set[str] = set()
    items = []
    for item in (i for o in outcomes for i in o.items):
        if item.canonical_url not in seen:  # one source's feeds overlap (section feed + main feed)
            seen.add(item.canonical_url)
            items.append(item)
    failures = [f for o in outcomes for f in ([o.error] if o.error else []) + o.warnings]
    new_state = replace(next_state(source, state, outcomes, now, policy), polled_by=way, **discovered)
    return SourcePoll(source, new_state, items, failures)


def poll_sources(
    fetcher: Fetcher, sources: list[Source], states: dict[str, SourceState], now: datetime | None = None,
    run_id: str | None = None, policy: PollPolicy = PollPolicy(), force: bool = False,
) -> PollReport:
    """Poll the due sources concurrently (no Elasticsearch here); items deduplicated across sources."""
    now = now or utcnow()
    report = PollReport()
    due = []
    for source in sources:
        state = states.get(source.id) or SourceState(source.id)
        if force or state.is_due(now):
            due.append((source, state))
        else:
            report.not_due += 1
    with ThreadPoolExecutor(max_workers=max(1, min(policy.max_workers, len(due) or 1))) as pool:
        report.polls = list(pool.map(lambda pair: poll_source(fetcher, pair[0], pair[1], now, run_id, policy), due))
    seen: set[str] = set()
    for poll in report.polls:
        report.failures.extend(poll.failures)
        for item in poll.items:
            if item.canonical_url not in seen:
                seen.add(item.canonical_url)
                report.items.append(item)
    return report


# -- Elasticsearch edges ------------------------------------------------------------------------------

class SourcesIndexMissing(RuntimeError):
    """The ``sources`` index does not exist (run ``newswatch setup``)."""


def read_states(client: Elasticsearch, prefix: str, source_ids: Iterable[str]) -> dict[str, SourceState]:
    ids = list(source_ids)
    if not ids:
        return {}
    alias = IndexNames(prefix).alias("sources")
    try:
        response = client.mget(index=alias, ids=ids)
    except NotFoundError as exc:
        raise SourcesIndexMissing(f"index {alias} not found; run `newswatch setup` first") from exc
    return {doc["_id"]: SourceState.from_document(doc["_id"], doc["_source"]) for doc in response["docs"] if doc.get("found")}


def write_states(indexer: Indexer, polls: list[SourcePoll], refresh: bool = False) -> BulkReport:
    actions = [IndexAction("sources", p.source.id, p.state.to_document(p.source), op="update") for p in polls]
    return indexer.index(actions, refresh=refresh)


# The source's name and category come from the catalogue when an item is planned, not from pending.
DESCRIBED_BY_CATALOGUE = {"source_name", "source_category"}


def pending_actions(items: list[FeedItem], run_id: str | None) -> list[IndexAction]:
    """The items as ``pending`` documents: written before the feeds' validators advance."""
    return [
        IndexAction("pending", item.id, {**item.model_dump(mode="json", exclude=DESCRIBED_BY_CATALOGUE), "@timestamp": utcnow().isoformat(), "run_id": run_id})
        for item in items
    ]


def done_actions(canonical_urls: Iterable[str]) -> list[IndexAction]:
    """Remove items from ``pending``: their article is written or their failure recorded."""
    return [IndexAction("pending", stable_id(url), {}, op="delete") for url in dict.fromkeys(canonical_urls)]


def read_pending(client: Elasticsearch, prefix: str, limit: int = 10_000) -> list[FeedItem]:
    """Items of earlier runs that were never finished (a killed task, a crash), oldest first."""
    response = client.search(index=IndexNames(prefix).alias("pending"), size=limit, sort=[{"@timestamp": "asc"}])
    fields = set(FeedItem.model_fields) - DESCRIBED_BY_CATALOGUE
    return [FeedItem.model_validate({k: v for k, v in hit["_source"].items() if k in fields}) for hit in response["hits"]["hits"]]


def drop_known_items(client: Elasticsearch, prefix: str, items: list[FeedItem]) -> list[FeedItem]:
    """Items whose article (id = hash of the canonical URL) is not indexed yet."""
    known = existing_article_ids(client, prefix, [i.id for i in items])
    return [item for item in items if item.id not in known]


def run_poll(
    client: Elasticsearch, indexer: Indexer, prefix: str, sources: list[Source], fetcher: Fetcher,
    now: datetime | None = None, run_id: str | None = None, policy: PollPolicy = PollPolicy(),
    force: bool = False, refresh: bool = False,
) -> PollReport:
    """Read states, poll the due sources, write states and failures; return the new feed items."""
    now = now or utcnow()
    run_id = run_id or f"poll-{now.strftime('%Y%m%dT%H%M%S')}"
    states = read_states(client, prefix, (s.id for s in sources))
    report = poll_sources(fetcher, sources, states, now=now, run_id=run_id, policy=policy, force=force)
    new_ids = {item.id for item in drop_known_items(client, prefix, report.items)}
    for poll in report.polls:
        if any(item.id in new_ids for item in poll.items):
            poll.state.last_new_item_at = now
    # Items first: once the validators advance, the feed will not announce them again.
    indexer.index(pending_actions(report.items, run_id), refresh=refresh)
    write_states(indexer, report.polls, refresh=refresh)
    if report.failures:
        indexer.record_failures(report.failures)
        if refresh:
            client.indices.refresh(index=IndexNames(prefix).alias("failures"))
    log.info("poll run %s: %s", run_id, report.summary())
    return report
