"""The ingest pipeline as plain functions over JSON-able batches.

The Airflow DAGs only call these (so everything here is testable without
Airflow). Each function takes and returns plain dicts/lists because they
travel between tasks as XComs; each converts them to the typed models
(``Source``, ``FeedItem``, ``Article``) once, on entry, and back on return.

Flow per run:  plan_polls -> poll_batch (mapped) -> plan_items -> process_batch (mapped) -> write_run_report
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone

from newswatch.core.model import Article, Failure, FeedItem, stable_id, utcnow
from newswatch.core.settings import QuoteSettings, Settings
from newswatch.indexing.connection import cluster_reachable, es_client
from newswatch.indexing.documents import stored_article
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames, setup_indices
from newswatch.indexing.store import load_articles, run_report_action, write_articles

log = logging.getLogger(__name__)

def chunked(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class StageClock:
    """Seconds spent per stage, summed over the items of one batch."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started


def ensure_indices(settings: Settings) -> list[str]:
    return setup_indices(es_client(settings.es), settings.es.index_prefix, settings.es.replicas).changes


def make_fetcher(settings: Settings):
    """The safe fetcher; NEWSWATCH_FETCH_ALLOW lists non-public networks/hosts to permit (tests, demo).

    With NEWSWATCH_SHARED_POLITENESS (the default) its per-host slots and robots.txt decisions are
    kept in Elasticsearch, so they hold across every worker; per process while the cluster is away.
    """
    from newswatch.fetching.politeness import PolitenessGuard
    from newswatch.fetching.safe_fetch import Fetcher, FetchPolicy
    from newswatch.indexing.politeness import SharedPoliteness

    politeness = None
    if settings.fetch.shared_politeness:
        politeness = PolitenessGuard(SharedPoliteness(es_client(settings.es), settings.es.index_prefix))
    return Fetcher(FetchPolicy.from_settings(settings.fetch), politeness)


def _failure_stats(failures: list[Failure]) -> dict:
    return {"failures": len(failures), "failure_stages": sorted({f.stage for f in failures})}


# -- poll --------------------------------------------------------------------------------------------

def plan_polls(settings: Settings, batch_size: int = 10) -> list[list[dict]]:
    """The catalogue in batches of sources; each poll task picks the due ones of its batch."""
    from newswatch.feeds.catalogue import load_catalogue

    sources = load_catalogue(settings.paths.sources_file)
    return chunked([source.model_dump(mode="json") for source in sources], batch_size)


def poll_batch(settings: Settings, sources: list[dict], run_id: str) -> dict:
    from newswatch.feeds.catalogue import Source
    from newswatch.feeds.poller import run_poll

    started = time.perf_counter()
    client = es_client(settings.es)
    with make_fetcher(settings) as fetcher:
        report = run_poll(
            client, make_indexer(settings, client, run_id), settings.es.index_prefix,
            [Source.model_validate(s) for s in sources], fetcher, run_id=run_id,
        )
    failed_sources = sum(1 for poll in report.polls if poll.state.consecutive_failures)
    described = {source["id"]: Source.model_validate(source) for source in sources}
    return {
        "items": [described_item(item, described).model_dump(mode="json") for item in report.items],
        "counts": {"sources_polled": len(report.polls), "sources_failed": failed_sources,
                   "feed_items": len(report.items), "failures": len(report.failures)},
        "stage_seconds": {"poll": time.perf_counter() - started},
        "failure_stages": sorted({f.stage for f in report.failures}),
    }


# Airflow refuses to map a task over more than 1,024 inputs ([core] max_map_length): stay well under.
MAX_ITEM_BATCHES = 256


def plan_items(settings: Settings, poll_results: list[dict], batch_size: int = 20, max_batches: int = MAX_ITEM_BATCHES) -> list[list[dict]]:
    """New items (this run's and any left pending by earlier runs), not yet indexed, deduplicated, batched.

    Items already indexed leave ``pending`` here. At most ``max_batches`` batches: when
    there are more new items than ``batch_size * max_batches`` the batches grow instead,
    so one run never plans more mapped tasks than Airflow accepts.
    """
    from newswatch.feeds.catalogue import load_catalogue
    from newswatch.feeds.poller import done_actions, drop_known_items, read_pending

    client = es_client(settings.es)
    unique: dict[str, FeedItem] = {}
    for result in poll_results:
        for item in result.get("items", []):
            unique.setdefault(item["canonical_url"], FeedItem.model_validate(item))
    described = {s.id: s for s in load_catalogue(settings.paths.sources_file)}
    for item in read_pending(client, settings.es.index_prefix):
        unique.setdefault(item.canonical_url, described_item(item, described))
    candidates = list(unique.values())
    fresh = drop_known_items(client, settings.es.index_prefix, candidates)
    fresh_urls = {item.canonical_url for item in fresh}
    make_indexer(settings, client).index(done_actions(i.canonical_url for i in candidates if i.canonical_url not in fresh_urls))
    return mapped_batches([item.model_dump(mode="json") for item in fresh], batch_size, max_batches)


def described_item(item: FeedItem, sources: dict) -> FeedItem:
    """The item with its source's name and category from the catalogue (``sources``: id -> Source)."""
    source = sources.get(item.source_id)
    return item.model_copy(update={"source_name": source.name, "source_category": source.category}) if source else item


def mapped_batches(items: list, batch_size: int, max_batches: int) -> list[list]:
    """Batches of ``batch_size``, grown when that would make more than ``max_batches`` of them."""
    return chunked(items, max(batch_size, -(-len(items) // max_batches)))


# -- fetch, extract, quotes, enrich, index --------------------------------------------------------------

def _article_from_page(item: FeedItem, html: str, final_url: str, html_ref: str, fetched_at: datetime) -> Article:
    from extractors.article import extract_article
    from newswatch.fetching.urls import canonicalize_url, owned_canonical_url, site_of
    from newswatch.near_duplicates import content_hash

    extracted = extract_article(html, url=final_url, feed_published=item.published_at, now=fetched_at)
    return Article(
        url=item.url,
        canonical_url=canonicalize_url(owned_canonical_url(extracted.canonical_url, final_url, aliases=(site_of(item.url),))),
        source_id=item.source_id,
        source_name=item.source_name,
        source_category=item.source_category,
        title=extracted.title or item.title,
        authors=extracted.authors,
        published_at=extracted.published_at,
        fetched_at=fetched_at,
        language=extracted.language,
        site_name=extracted.site_name,
        top_image=extracted.top_image,
        text=extracted.text,
        html_ref=html_ref,
        content_hash=content_hash(extracted.text),
    )


def fetch_and_extract(settings: Settings, items: list[FeedItem], run_id: str, clock: StageClock) -> tuple[list[Article], list[Failure]]:
    from extractors.article import ExtractionError
    from newswatch.fetching.errors import FetchError
    from newswatch.fetching.html_store import HtmlStore

    store = HtmlStore.from_settings(settings)
    articles: list[Article] = []
    failures: list[Failure] = []
    with make_fetcher(settings) as fetcher:
        for item in items:
            stage = "fetch"
            try:
                with clock.stage("fetch"):
                    result = fetcher.fetch(item.url, expect=("html",))
                    fetched_at = utcnow()
                    html_ref = _store_html(store, result, fetched_at, item, run_id, failures)
                stage = "extract"
                with clock.stage("extract"):
                    articles.append(_article_from_page(item, result.text, result.final_url, html_ref, fetched_at))
            except (FetchError, ExtractionError, ValueError) as exc:
                failures.append(Failure.from_exception(stage, exc, **_place(item, run_id)))
    return articles, failures


def _store_html(store, result, fetched_at: datetime, item: FeedItem, run_id: str, failures: list[Failure]) -> str | None:
    """The stored page's reference, or None (and a recorded failure) when NEWSWATCH_HOME cannot take it.

    A read-only or full disk costs the page's re-extraction later, not the article now.
    """
    try:
        return store.save(result.final_url, result.body, result.content_type, fetched_at)
    except OSError as exc:
        failures.append(Failure.from_exception("store", exc, **_place(item, run_id)))
        return None


def analyse(settings: Settings, articles: list[Article], run_id: str, clock: StageClock) -> tuple[list[Article], list[Failure]]:
    """Clusters, quotes and enrichment; an article whose analysis fails is still indexed, flagged by a failure."""
    from elasticsearch import ApiError, TransportError

    from newswatch.enrichment.profile import load_profile
    from newswatch.near_duplicates import assign_clusters
    from newswatch.quotes.aliases import AliasRegistry

    failures: list[Failure] = []
    with clock.stage("extract"):
        try:
            articles = assign_clusters(articles, es_client(settings.es), settings.es.index_prefix)
        except (TransportError, ApiError) as exc:
            # Elasticsearch down: cluster within the batch only; the articles are spooled, not lost.
            log.error("near-duplicate lookup failed (%s); clustering within the batch only", exc)
            articles = assign_clusters(articles)
            failures += [Failure.from_exception("dedup", exc, **_place(a, run_id)) for a in articles]
    # Read once per batch: the profile's organisations give short forms ("the Alliance") their full names.
    known_organisations = load_profile().known_organizations
    # One registry per batch: "FPCA" in one story and the full name in another become one speaker organisation.
    aliases = AliasRegistry.seeded(known_organisations)
    done: list[Article] = []
    for article in articles:
        article, article_failures = analyse_article(article, run_id, settings.quotes, clock=clock,
                                                    known_organisations=known_organisations, aliases=aliases)
        done.append(article)
        failures += article_failures
    return done, failures


def _place(item: FeedItem | Article, run_id: str | None) -> dict:
    """Where a failure happened, for its record: the item's id (hash of its canonical URL), URL, source, run."""
    return {"item_id": item.id, "url": item.url, "source_id": item.source_id, "run_id": run_id}


def analyse_article(
    article: Article, run_id: str | None, quote_limits: QuoteSettings = QuoteSettings(), enricher=None, clock: StageClock | None = None,
    known_organisations: tuple[str, ...] = (), aliases=None,
) -> tuple[Article, list[Failure]]:
    """Quotes, then enrichment; a step that fails is recorded and the article goes on without it."""
    from newswatch.enrichment.enrich import enrich_article
    from newswatch.quotes.extraction import UnsupportedLanguage, add_quotes

    clock = clock or StageClock()
    failures: list[Failure] = []
    try:
        with clock.stage("quotes"):
            article = add_quotes(article, quote_limits, known_organisations, aliases)
    except UnsupportedLanguage:
        log.info("no quote extraction for %s (language %s)", article.canonical_url, article.language)
    except Exception as exc:  # noqa: BLE001 - one bad text must not stop the batch
        failures.append(Failure.from_exception("quotes", exc, **_place(article, run_id)))
    try:
        with clock.stage("enrich"):
            article = enrich_article(article, enricher)
    except Exception as exc:  # noqa: BLE001
        failures.append(Failure.from_exception("enrich", exc, **_place(article, run_id)))
    return article, failures


def preload_models(settings: Settings) -> float:
    """Load every model ``process_batch`` uses into this process's caches; the seconds it took.

    Called in a worker process before it forks its tasks (Airflow runs each task in a child forked
    from the worker: ``newswatch.celery_worker``), every task inherits the loaded models instead of
    loading them again. The caches are keyed by what was loaded (encoder config and model folder,
    stance model folder), so the same process reuses them for every task with the same settings.
    """
    from newswatch.enrichment.enrich import get_enricher
    from newswatch.enrichment.entities import get_pipeline as get_entity_pipeline
    from newswatch.quotes.nlp import get_nlp

    started = time.perf_counter()
    get_nlp()
    get_enricher()
    get_entity_pipeline()
    elapsed = time.perf_counter() - started
    log.info("models loaded in %.1fs (profile %s)", elapsed, settings.models.profile or "default")
    return elapsed


def process_batch(settings: Settings, batch: list[dict], run_id: str) -> dict:
    """Fetch, extract, analyse and index one planned batch (``FeedItem`` dicts); counts per stage."""
    items = [FeedItem.model_validate(item) for item in batch]
    clock = StageClock()
    articles, failures = fetch_and_extract(settings, items, run_id, clock)
    articles, analysis_failures = analyse(settings, articles, run_id, clock)
    failures += analysis_failures
    from newswatch.feeds.poller import done_actions

    indexer = make_indexer(settings, run_id=run_id)
    with clock.stage("index"):
        written = write_articles(indexer, articles)
        if failures:
            indexer.record_failures(failures)
        # Every item of the batch now has its article or its failure written (or spooled): no longer pending.
        indexer.index(done_actions(item.canonical_url for item in items))
    counts = {
        "new_items": len(items), "fetched": len(items) - sum(f.stage == "fetch" for f in failures),
        "extracted": len(articles), "quotes": sum(len(a.quotes) for a in articles),
        "enriched": len(articles) - sum(f.stage == "enrich" for f in failures),
        "indexed": len(articles) if not written.cluster_error else 0,
        "spooled": written.spooled, "failures": len(failures) + len(written.rejected),
    }
    return {"counts": counts, "stage_seconds": dict(clock.seconds),
            "failure_stages": sorted({f.stage for f in failures + written.rejected})}


# -- reprocess -------------------------------------------------------------------------------------------

def plan_reprocess(settings: Settings, start: str, end: str, source_ids: list[str], batch_size: int = 50) -> list[list[str]]:
    from datetime import date, timedelta

    first = datetime.combine(date.fromisoformat(start), datetime.min.time(), timezone.utc)
    last = datetime.combine(date.fromisoformat(end), datetime.min.time(), timezone.utc) + timedelta(days=1)
    ids = [stable_id(doc["canonical_url"]) for doc in load_articles(es_client(settings.es), settings.es.index_prefix, first, last, source_ids)]
    return chunked(ids, batch_size)


def reprocess_batch(settings: Settings, article_ids: list[str], mode: str, run_id: str) -> dict:
    """Re-extract from the stored HTML (mode 'extract') or only re-enrich (mode 'enrich')."""
    from newswatch.fetching.html_store import HtmlStore

    client = es_client(settings.es)
    docs = client.mget(index=IndexNames(settings.es.index_prefix).alias("articles"), ids=article_ids)["docs"]
    clock = StageClock()
    articles: list[Article] = []
    failures: list[Failure] = []
    store = HtmlStore.from_settings(settings)
    for doc in (d["_source"] for d in docs if d.get("found")):
        stored = stored_article(doc)
        item = FeedItem.model_validate(stored.model_dump(include=set(FeedItem.model_fields)))
        if mode == "extract" and stored.html_ref:
            try:
                with clock.stage("extract"):
                    page = store.load(stored.html_ref)
                    articles.append(_article_from_page(item, page.text, stored.url, stored.html_ref, stored.fetched_at))
            except (OSError, ValueError) as exc:
                failures.append(Failure.from_exception("extract", exc, **_place(item, run_id)))
        else:
            articles.append(stored)
    articles, analysis_failures = analyse(settings, articles, run_id, clock)
    failures += analysis_failures
    indexer = make_indexer(settings, client, run_id)
    with clock.stage("index"):
        written = write_articles(indexer, articles)
        if failures:
            indexer.record_failures(failures)
    return {"counts": {"reprocessed": len(articles), "failures": len(failures) + len(written.rejected)},
            "stage_seconds": dict(clock.seconds), "failure_stages": sorted({f.stage for f in failures})}


# -- terms watch ---------------------------------------------------------------------------------------------

def check_terms(settings: Settings, run_id: str | None = None) -> dict:
    """Fetch every watched terms/policy document; store changed versions with their diff. Counts per outcome."""
    from newswatch.terms.catalogue import load_terms_catalogue
    from newswatch.terms.watch import check_documents

    client = es_client(settings.es)
    with make_fetcher(settings) as fetcher:
        report = check_documents(
            fetcher, client, make_indexer(settings, client, run_id), settings.es.index_prefix,
            load_terms_catalogue(settings.paths.terms_file), run_id,
        )
    return report.counts()


def write_run_report(
    settings: Settings,
    dag_id: str,
    run_id: str,
    started_at: datetime | None,
    poll_results: list[dict],
    batch_results: list[dict],
) -> dict:
    """Index one report per run (counts per stage, failures, durations) for analysts."""
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    failure_stages: set[str] = set()
    for result in [*poll_results, *batch_results]:
        counts.update(result.get("counts", {}))
        seconds.update(result.get("stage_seconds", {}))
        failure_stages.update(result.get("failure_stages", []))
    finished = utcnow()
    started = started_at or finished
    indexer = make_indexer(settings, run_id=run_id)
    report = {
        "@timestamp": finished.isoformat(),
        "dag_id": dag_id,
        "run_id": run_id,
        "status": run_status(counts, cluster_reachable=cluster_reachable(indexer.client)),
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "duration_s": round((finished - started).total_seconds(), 3),
        "counts": dict(counts),
        "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
        "failure_stages": sorted(failure_stages),
    }
    indexer.index([run_report_action(report)], refresh=True)
    if report["status"] == DEGRADED:
        log.error("run %s is degraded: nothing reached Elasticsearch (%d documents spooled for the next run)",
                  run_id, counts.get("spooled", 0))
    log.info("run report: %s", report)
    return report


DEGRADED = "degraded"


class RunDegraded(RuntimeError):
    """Nothing a run produced reached Elasticsearch: it all waits in the spool."""


def run_status(counts: Mapping[str, int], cluster_reachable: bool) -> str:
    """``degraded`` when nothing reached the cluster (all spooled, or unreachable at the end), else
    ``failures`` or ``ok``; spooled documents are replayed by the next run, so a partial spool is no failure."""
    if not cluster_reachable or (counts.get("spooled") and not counts.get("indexed")):
        return DEGRADED
    return "failures" if counts.get("failures") else "ok"


def fail_if_degraded(report: dict) -> dict:
    """The report, or ``RunDegraded`` so that the run's last task (and so the run) fails visibly."""
    if report["status"] == DEGRADED:
        raise RunDegraded(
            f"run {report['run_id']}: nothing reached Elasticsearch; {report['counts'].get('spooled', 0)} "
            "documents are spooled and will be replayed by the next run (check ES_URL and the cluster)"
        )
    return report
