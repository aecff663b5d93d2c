"""What each endpoint asks Elasticsearch, and how the answer becomes a result.

The HTTP layer (``newswatch.query_api.app``) only authenticates and translates errors;
everything here takes validated parameters and returns response models.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator, Protocol

import numpy as np
from elasticsearch import Elasticsearch

from newswatch.core.settings import ApiSettings
from newswatch.indexing.schema import IndexNames
from newswatch.query_api import queries, results
from newswatch.query_api.cursor import (
    CursorState,
    decode_cursor,
    encode_cursor,
    query_fingerprint,
)
from newswatch.query_api.models import (
    ArticleOut,
    ArticleSearchParams,
    ExportParams,
    Filters,
    Page,
    QuoteOut,
    SearchParams,
    SemanticParams,
    StanceTrend,
    StanceTrendParams,
    TopParams,
    TopResult,
)
from newswatch.query_api.queries import (
    ARTICLES,
    FACETS,
    QUOTES,
    IndexSpec,
    InputError,
    Window,
)

EXPORT_BATCH = 500
# Elasticsearch stops a search at this budget and answers with what it found, so no query runs away.
SEARCH_TIMEOUT = "10s"
EMBEDDING_DIMS = 384


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class SemanticSearchUnavailable(RuntimeError):
    """No sentence encoder could be loaded on this server."""


class EncoderProvider:
    """The sentence encoder, loaded on the first semantic search (it takes seconds and memory)."""

    def __init__(self, encoder: Encoder | None = None):
        self._encoder = encoder
        self._lock = threading.Lock()

    def get(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                from newswatch.enrichment.model_service import (
                    ModelUnavailable,
                    get_encoder,
                )

                try:
                    self._encoder = get_encoder()
                except ModelUnavailable as exc:
                    raise SemanticSearchUnavailable(str(exc)) from exc
            return self._encoder


@dataclass(frozen=True)
class Export:
    lines: Iterator[str]
    media_type: str
    filename: str


class QueryService:
    def __init__(
        self,
        client: Elasticsearch,
        prefix: str,
        config: ApiSettings,
        encoders: EncoderProvider,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ):
        self.client = client
        self.names = IndexNames(prefix)
        self.config = config
        self.encoders = encoders
        self.now = now

    # ---- helpers ------------------------------------------------------------------------

    def _source_fields(self, spec: IndexSpec) -> tuple[str, ...]:
        if spec is ARTICLES and self.config.include_full_text:
            return (*spec.source_fields, "text")
        return spec.source_fields

    def _window(self, filters: Filters) -> Window:
        return queries.resolve_window(filters.date_from, filters.date_to, self.config.max_time_range_days, self.now())

    def _page_size(self, requested: int | None) -> int:
        size = requested or self.config.default_page_size
        if size > self.config.max_page_size:
            raise InputError("size", f"size may be at most {self.config.max_page_size}")
        return size

    def _search(self, spec: IndexSpec, body: dict) -> dict:
        return self.client.search(index=self.names.alias(spec.name), body={**body, "timeout": SEARCH_TIMEOUT})

    def _hits_after(
        self, spec: IndexSpec, filters: Filters, window: Window, sort: str, size: int, after: list | None
    ) -> dict:
        body = queries.search_body(filters, spec, window, sort, size, after, self._source_fields(spec))
        return self._search(spec, body)

    def _paged(self, spec: IndexSpec, params: SearchParams) -> tuple[dict, str | None]:
        """One page of hits and the cursor of the next one (None when this page is the last)."""
        size = self._page_size(params.size)
        fingerprint = query_fingerprint(spec.name, params.model_dump(exclude={"cursor", "size"}))
        if params.cursor:
            state = decode_cursor(params.cursor, self.config.cursor_secret, fingerprint)
            window, after = Window.from_strings(state.window), state.after
        else:
            window, after = self._window(params), None
        response = self._hits_after(spec, params, window, params.sort, size, after)
        hits = response["hits"]["hits"]
        next_cursor = None
        if len(hits) == size:
            state = CursorState(fingerprint, window.as_strings(), hits[-1]["sort"])
            next_cursor = encode_cursor(state, self.config.cursor_secret)
        return response, next_cursor

    def _articles_with_quotes(self, hits: list[dict], with_quotes: bool) -> list[ArticleOut]:
        quotes: dict = {}
        if with_quotes and hits and self.config.quotes_per_article > 0:
            body = queries.quotes_of_articles_body([h["_id"] for h in hits], self.config.quotes_per_article)
            quotes = results.quotes_by_article(self._search(QUOTES, body))
        return [results.article_result(hit, quotes.get(hit["_id"])) for hit in hits]

    # ---- endpoints ----------------------------------------------------------------------

    def search_articles(self, params: ArticleSearchParams, quotes_allowed: bool = True) -> Page[ArticleOut]:
        """Articles; their first quotes attached only when asked for and the caller may read quotes."""
        response, next_cursor = self._paged(ARTICLES, params)
        total = response["hits"]["total"]
        items = self._articles_with_quotes(response["hits"]["hits"], params.include_quotes and quotes_allowed)
        return Page[ArticleOut](
            items=items, total=total["value"], total_is_exact=total["relation"] == "eq", next_cursor=next_cursor
        )

    def search_quotes(self, params: SearchParams) -> Page[QuoteOut]:
        response, next_cursor = self._paged(QUOTES, params)
        total = response["hits"]["total"]
        items = [results.quote_result(hit) for hit in response["hits"]["hits"]]
        return Page[QuoteOut](
            items=items, total=total["value"], total_is_exact=total["relation"] == "eq", next_cursor=next_cursor
        )

    def semantic_articles(self, params: SemanticParams, quotes_allowed: bool = True) -> list[ArticleOut]:
        size = self._page_size(params.size)
        window = self._window(params)
        vector = np.asarray(self.encoders.get().encode([params.q]), dtype=np.float32).reshape(-1)
        if vector.shape != (EMBEDDING_DIMS,) or not np.all(np.isfinite(vector)):
            raise SemanticSearchUnavailable(f"encoder returned a vector of shape {vector.shape}, not ({EMBEDDING_DIMS},)")
        body = queries.knn_body(vector.tolist(), params, window, size, self._source_fields(ARTICLES))
        return self._articles_with_quotes(self._search(ARTICLES, body)["hits"]["hits"], with_quotes=quotes_allowed)

    def stance_trend(self, params: StanceTrendParams) -> StanceTrend:
        spec = ARTICLES if params.index == "articles" else QUOTES
        window = self._window(params)
        response = self._search(spec, queries.stance_trend_body(params, spec, window, params.interval))
        return StanceTrend(
            index=spec.name,
            interval=params.interval,
            window=window.as_strings(),
            series=results.stance_series(response, params.target),
        )

    def top(self, facet_name: str, params: TopParams) -> TopResult:
        facet = FACETS[facet_name]
        window = self._window(params)
        response = self._search(queries.INDEX_SPECS[facet.index], queries.top_terms_body(params, facet, window, params.size))
        return TopResult(facet=facet_name, index=facet.index, window=window.as_strings(), entries=results.top_entries(response))

    def clusters_of_articles(self, article_ids: list[str]) -> dict[str, str]:
        """The story cluster of each listed article (articles without one are left out)."""
        if not article_ids:
            return {}
        response = self.client.mget(index=self.names.alias(ARTICLES.name), ids=sorted(set(article_ids)),
                                    source_includes=["cluster_id"])
        return {d["_id"]: d["_source"]["cluster_id"] for d in response["docs"]
                if d.get("found") and d["_source"].get("cluster_id")}

    def outlets_of_clusters(self, cluster_ids: list[str]) -> dict[str, list[str]]:
        """Every outlet that carried each story, whatever its date."""
        if not cluster_ids:
            return {}
        response = self._search(ARTICLES, queries.outlets_of_clusters_body(sorted(set(cluster_ids))))
        return {
            bucket["key"]: [b["key"] for b in bucket["outlets"]["buckets"]]
            for bucket in response["aggregations"]["clusters"]["buckets"]
        }

    def export(self, index: str, params: ExportParams) -> Export:
        """Rows of every match up to the row cap; the first batch is fetched before returning, so errors surface."""
        spec = queries.INDEX_SPECS[index]
        window = self._window(params)
        wanted = min(params.limit or self.config.export_row_cap, self.config.export_row_cap)
        first = self._hits_after(spec, params, window, params.sort, min(EXPORT_BATCH, wanted), None)["hits"]["hits"]

        def hits() -> Iterator[dict]:
            batch, sent = first, 0
            while batch:
                for hit in batch[: wanted - sent]:
                    yield hit
                sent += min(len(batch), wanted - sent)
                if sent >= wanted or len(batch) < min(EXPORT_BATCH, wanted):
                    return
                size = min(EXPORT_BATCH, wanted - sent)
                batch = self._hits_after(spec, params, window, params.sort, size, batch[-1]["sort"])["hits"]["hits"]

        to_result = results.article_result if spec is ARTICLES else results.quote_result
        items = (to_result(hit) for hit in hits())
        stamp = self.now().strftime("%Y%m%dT%H%M%SZ")
        if params.format == "ndjson":
            return Export(results.ndjson_lines(items), "application/x-ndjson", f"newswatch-{index}-{stamp}.ndjson")
        to_row = results.article_row if spec is ARTICLES else results.quote_row
        columns = results.ARTICLE_CSV_COLUMNS if spec is ARTICLES else results.QUOTE_CSV_COLUMNS
        return Export(results.csv_lines((to_row(i) for i in items), columns), "text/csv; charset=utf-8",
                      f"newswatch-{index}-{stamp}.csv")
