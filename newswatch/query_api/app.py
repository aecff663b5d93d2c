"""The read-only query API for advocacy groups and analysts (FastAPI).

Every route is a GET over the public indices (articles, quotes); there is no
route that writes or that names an index from user input, so internal indices
(failures, runs, sources, api_keys) cannot be reached. Each request needs a
group key (header ``X-API-Key``), is rate-limited per key, and every error is
a JSON body without a stack trace.
"""
# No ``from __future__ import annotations``: FastAPI must see the route closures' real types.
import logging
import math
import time
from datetime import datetime, timezone
from typing import Annotated, Callable, Literal

from elasticsearch import ApiError as ElasticsearchApiError
from elasticsearch import Elasticsearch, TransportError
from fastapi import Depends, FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException

from newswatch.core.settings import ApiSettings, Settings
from newswatch.indexing.connection import es_client
from newswatch.indexing.corrections import (
    CorrectionError,
    UnknownDocument,
    correct_speaker,
    correct_stance,
)
from newswatch.query_api.cursor import InvalidCursor
from newswatch.query_api.docs import install_offline_docs
from newswatch.query_api.keys import ApiKeyStore, KeyVerifier, Principal
from newswatch.query_api.models import (
    ArticleOut,
    ArticleSearchParams,
    CorrectionOut,
    ErrorBody,
    ExportParams,
    Page,
    QuoteOut,
    SearchParams,
    SemanticParams,
    SemanticResult,
    SpeakerCorrectionIn,
    StanceCorrectionIn,
    StanceTrend,
    StanceTrendParams,
    TopParams,
    TopResult,
    profile_target_ids,
)
from newswatch.query_api.queries import InputError
from newswatch.query_api.ratelimit import TokenBucketLimiter
from newswatch.query_api.service import (
    Encoder,
    EncoderProvider,
    QueryService,
    SemanticSearchUnavailable,
)

log = logging.getLogger(__name__)

API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Group key issued with `newswatch api keys create`"
)
STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    422: "invalid_request", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}
ERROR_RESPONSES = {status: {"model": ErrorBody} for status in (400, 401, 403, 422, 429, 503)}
NOT_FOUND = {404: {"model": ErrorBody, "description": "No article or quote has this id"}}


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.details = details or []


def error_response(status: int, message: str, details: list | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"error": {"status": status, "code": STATUS_CODES.get(status, "error"), "message": message,
                      "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict]:
    # Never echo the offending input back (it may be 10 kB, or a payload aimed at a log viewer).
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "header", "body")]
        details.append({"field": ".".join(location) or None, "problem": str(error.get("msg", "invalid value"))[:300]})
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid request parameters", _validation_details(exc))

    @app.exception_handler(InputError)
    async def _unacceptable(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, exc.problem, [{"field": exc.field, "problem": exc.problem}])

    @app.exception_handler(InvalidCursor)
    async def _bad_cursor(request: Request, exc: InvalidCursor) -> JSONResponse:
        return error_response(400, f"invalid cursor: {exc}", [{"field": "cursor", "problem": str(exc)}])

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: "no such route", 405: "method not allowed: this API is read-only"}.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(SemanticSearchUnavailable)
    async def _no_encoder(request: Request, exc: SemanticSearchUnavailable) -> JSONResponse:
        log.error("semantic search unavailable: %s", exc)
        return error_response(503, "semantic search is not available on this server")

    @app.exception_handler(ElasticsearchApiError)
    async def _elasticsearch(request: Request, exc: ElasticsearchApiError) -> JSONResponse:
        log.error("Elasticsearch refused a query (%s): %s", exc.meta.status, exc)
        if exc.meta.status == 400:
            return error_response(400, "the search could not run with these parameters")
        return error_response(503, "search backend unavailable, retry later", headers={"Retry-After": "5"})

    @app.exception_handler(TransportError)
    async def _unreachable(request: Request, exc: TransportError) -> JSONResponse:
        log.error("Elasticsearch unreachable: %s", exc)
        return error_response(503, "search backend unavailable, retry later", headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal error")


def api_client(settings: Settings, config: ApiSettings) -> Elasticsearch:
    """The API's own connection: its read-only key when configured, else the project's credentials."""
    if config.es_api_key:
        settings = settings.with_es(api_key=config.es_api_key, username=None, password=None)
    return es_client(settings.es)


FAILED_KEY_ATTEMPTS_PER_MINUTE = 30
FAILED_KEY_ATTEMPTS_BURST = 20


def create_app(
    settings: Settings,
    config: ApiSettings | None = None,
    *,
    encoder: Encoder | None = None,
    client: Elasticsearch | None = None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> FastAPI:
    config = config or settings.api
    client = client or api_client(settings, config)
    verifier = KeyVerifier(ApiKeyStore(client, settings.es.index_prefix), config.key_cache_seconds, clock)
    limiter = TokenBucketLimiter(config.rate_per_minute, config.rate_burst, clock)
    # Requests with a missing or wrong key are limited per client address, before any key
    # lookup once a client has used up its allowance: guessing keys costs the cluster nothing.
    failed_attempts = TokenBucketLimiter(FAILED_KEY_ATTEMPTS_PER_MINUTE, FAILED_KEY_ATTEMPTS_BURST, clock)
    service = QueryService(client, settings.es.index_prefix, config, EncoderProvider(encoder), now)

    app = FastAPI(
        title="Newswatch query API",
        version="1",
        description=(
            "Read-only search over articles and quotes about AI and artists' rights: full text, filters, "
            "semantic search, stance trends, top speakers, exports. Results carry summaries, quotes, metadata "
            "and links to the publishers, not full article text. Every route needs an `X-API-Key` header."
        ),
        responses=ERROR_RESPONSES,
        docs_url=None,
        redoc_url=None,
    )
    install_offline_docs(app)
    install_error_handlers(app)

    def caller(request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)] = None) -> Principal:
        address = request.client.host if request.client else "unknown"
        if failed_attempts.exhausted(address):
            raise ApiError(429, "too many requests with a missing or invalid API key", headers={"Retry-After": "60"})
        principal = verifier.verify(api_key)
        if principal is None:
            failed_attempts.acquire(address)
            raise ApiError(401, "missing, unknown or revoked API key", headers={"WWW-Authenticate": "ApiKey"})
        wait = limiter.acquire(principal.key_id)
        if wait > 0:
            retry = "3600" if math.isinf(wait) else str(max(1, math.ceil(wait)))
            raise ApiError(429, "rate limit exceeded for this key", headers={"Retry-After": retry})
        return principal

    Caller = Annotated[Principal, Depends(caller)]

    def require(principal: Principal, index: str) -> None:
        if index not in principal.indices:
            raise ApiError(403, f"this key may not read {index}")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/v1/articles", response_model=Page[ArticleOut], tags=["search"], summary="Search articles")
    def search_articles(principal: Caller, params: Annotated[ArticleSearchParams, Query()]):
        require(principal, "articles")
        return service.search_articles(params, quotes_allowed="quotes" in principal.indices)

    @app.get("/v1/articles/semantic", response_model=SemanticResult, tags=["search"],
             summary="Articles nearest in meaning to a text")
    def semantic_articles(principal: Caller, params: Annotated[SemanticParams, Query()]):
        require(principal, "articles")
        return SemanticResult(items=service.semantic_articles(params, quotes_allowed="quotes" in principal.indices))

    @app.get("/v1/quotes", response_model=Page[QuoteOut], tags=["search"], summary="Search quotes")
    def search_quotes(principal: Caller, params: Annotated[SearchParams, Query()]):
        require(principal, "quotes")
        return service.search_quotes(params)

    @app.get("/v1/stats/stance", response_model=StanceTrend, tags=["aggregations"],
             summary="Stance counts over time, per target")
    def stance_trend(principal: Caller, params: Annotated[StanceTrendParams, Query()]):
        require(principal, params.index)
        return service.stance_trend(params)

    @app.get("/v1/stats/top/{facet}", response_model=TopResult, tags=["aggregations"],
             summary="Top speakers, organisations or sources")
    def top(principal: Caller, facet: Literal["speakers", "organizations", "sources"],
            params: Annotated[TopParams, Query()]):
        require(principal, "articles" if facet == "sources" else "quotes")
        return service.top(facet, params)

    @app.get("/v1/export/{index}", tags=["export"], summary="Export matches as CSV or NDJSON (capped)",
             response_class=StreamingResponse,
             responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
    def export(principal: Caller, index: Literal["articles", "quotes"], params: Annotated[ExportParams, Query()]):
        require(principal, index)
        result = service.export(index, params)
        headers = {
            "Content-Disposition": f'attachment; filename="{result.filename}"',
            "X-Row-Cap": str(config.export_row_cap),
        }
        return StreamingResponse(result.lines, media_type=result.media_type, headers=headers)

    def correction_result(correction: dict) -> CorrectionOut:
        return CorrectionOut(
            **{k: v for k, v in correction.items() if k in CorrectionOut.model_fields},
            id=correction["doc_id"], corrected_at=correction["@timestamp"],
        )

    def as_editor(principal: Principal, correct: Callable[[], dict]) -> CorrectionOut:
        if not principal.editor:
            raise ApiError(403, "this key may not correct: ask for an editor key")
        try:
            return correction_result(correct())
        except UnknownDocument as exc:
            raise ApiError(404, str(exc)) from exc
        except CorrectionError as exc:
            raise ApiError(422, str(exc)) from exc

    @app.post("/v1/corrections/stance", response_model=CorrectionOut, tags=["corrections"], responses=NOT_FOUND,
              summary="Correct the stance of an article or quote toward one target (editor keys only)")
    def correct_stance_route(principal: Caller, body: StanceCorrectionIn):
        return as_editor(principal, lambda: correct_stance(
            service.client, settings.es.index_prefix, body.id, body.target, body.label, principal.name,
            profile_target_ids(), body.reason))

    @app.post("/v1/corrections/speaker", response_model=CorrectionOut, tags=["corrections"], responses=NOT_FOUND,
              summary="Correct the speaker (and organisation) of a quote (editor keys only)")
    def correct_speaker_route(principal: Caller, body: SpeakerCorrectionIn):
        return as_editor(principal, lambda: correct_speaker(
            service.client, settings.es.index_prefix, body.id, body.speaker, body.organization, principal.name,
            body.reason))

    return app
