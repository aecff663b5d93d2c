"""Limits and options of the query API, read from the environment (``NEWSWATCH_API_*``)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

# The only indices a group key can ever be granted; everything else is internal.
PUBLIC_INDICES = ("articles", "quotes")


def _env_number(name: str, default: float, kind: type = int) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a {kind.__name__}, got {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ApiConfig:
    max_page_size: int = 100
    default_page_size: int = 20
    max_time_range_days: int = 366
    export_row_cap: int = 5000
    rate_per_minute: float = 120.0  # sustained requests per key
    rate_burst: int = 30  # bucket size: requests a key may send at once
    key_cache_seconds: float = 30.0  # a revoked key keeps working at most this long
    quotes_per_article: int = 3
    include_full_text: bool = False  # publishers' copyright: summaries and quotes only by default
    es_api_key: str | None = None  # the API's own read-only Elasticsearch key
    # Signs pagination cursors; several workers behind one balancer must share it.
    cursor_secret: str = field(default_factory=lambda: secrets.token_hex(32))

    def __post_init__(self) -> None:
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError("default_page_size must be between 1 and max_page_size")
        if self.max_time_range_days < 1 or self.export_row_cap < 1 or self.rate_burst < 1:
            raise ValueError("time range, export cap and rate burst must be at least 1")

    @staticmethod
    def from_env() -> "ApiConfig":
        defaults = ApiConfig(cursor_secret="unused")
        return ApiConfig(
            max_page_size=int(_env_number("NEWSWATCH_API_MAX_PAGE_SIZE", defaults.max_page_size)),
            default_page_size=int(_env_number("NEWSWATCH_API_PAGE_SIZE", defaults.default_page_size)),
            max_time_range_days=int(_env_number("NEWSWATCH_API_MAX_RANGE_DAYS", defaults.max_time_range_days)),
            export_row_cap=int(_env_number("NEWSWATCH_API_EXPORT_CAP", defaults.export_row_cap)),
            rate_per_minute=float(_env_number("NEWSWATCH_API_RATE_PER_MINUTE", defaults.rate_per_minute, float)),
            rate_burst=int(_env_number("NEWSWATCH_API_RATE_BURST", defaults.rate_burst)),
            key_cache_seconds=float(_env_number("NEWSWATCH_API_KEY_CACHE_SECONDS", defaults.key_cache_seconds, float)),
            quotes_per_article=int(_env_number("NEWSWATCH_API_QUOTES_PER_ARTICLE", defaults.quotes_per_article)),
            include_full_text=_env_flag("NEWSWATCH_API_FULL_TEXT", defaults.include_full_text),
            es_api_key=os.environ.get("NEWSWATCH_API_ES_API_KEY") or None,
            cursor_secret=os.environ.get("NEWSWATCH_API_CURSOR_SECRET") or secrets.token_hex(32),
        )
