"""Runtime configuration, read from the environment once per process.

Everything that differs between a laptop, CI and production is an environment
variable, so the same code and DAGs run everywhere (12-factor style).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The newest 9.x whose integ-test distribution Maven Central serves (9.3+ are not published there).
ES_VERSION = "9.2.8"
ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    es_url: str | None = None
    es_api_key: str | None = None
    es_username: str | None = None
    es_password: str | None = None
    es_port: int = 9200
    es_heap: str = "512m"
    es_replicas: int = 0
    index_prefix: str = "newswatch"
    home: Path = field(default_factory=lambda: REPO_ROOT / "var")
    cache_dir: Path = field(default_factory=lambda: REPO_ROOT / ".cache")
    request_timeout: float = 30.0

    @property
    def managed_es(self) -> bool:
        """True when the project runs its own local node (no ES_URL given)."""
        return not self.es_url

    @property
    def effective_es_url(self) -> str:
        return self.es_url or f"http://127.0.0.1:{self.es_port}"

    @property
    def spool_dir(self) -> Path:
        return self.home / "spool"

    @property
    def html_store_dir(self) -> Path:
        return self.home / "html"

    @staticmethod
    def from_env() -> "Settings":
        return Settings(
            es_url=os.environ.get("ES_URL") or None,
            es_api_key=os.environ.get("ES_API_KEY") or None,
            es_username=os.environ.get("ES_USERNAME") or None,
            es_password=os.environ.get("ES_PASSWORD") or None,
            es_port=_env_int("NEWSWATCH_ES_PORT", 9200),
            es_heap=os.environ.get("NEWSWATCH_ES_HEAP", "512m"),
            es_replicas=_env_int("NEWSWATCH_ES_REPLICAS", 0),
            index_prefix=os.environ.get("NEWSWATCH_INDEX_PREFIX", "newswatch"),
            home=Path(os.environ.get("NEWSWATCH_HOME", REPO_ROOT / "var")),
            cache_dir=Path(os.environ.get("NEWSWATCH_CACHE_DIR", REPO_ROOT / ".cache")),
            request_timeout=float(os.environ.get("NEWSWATCH_ES_TIMEOUT", "30")),
        )
