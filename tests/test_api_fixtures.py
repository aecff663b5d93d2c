"""Shared fixtures of the query API tests: a small known corpus indexed into the real node.

The corpus goes through the real write path (newswatch.indexing.store -> bulk Indexer),
so it satisfies the strict mappings. Speakers and organisations are invented.
The sentence encoder is replaced by a tiny deterministic bag-of-words encoder
producing 384-d unit vectors (semantic tests only need "more shared words ->
closer"); Elasticsearch is always the real one.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import numpy as np
import pytest
from fastapi.testclient import TestClient

from newswatch.core.model import Article, Entities, Quote, StanceJudgement
from newswatch.core.settings import ApiSettings, Settings
from newswatch.indexing.connection import es_client
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import setup_indices
from newswatch.indexing.store import write_articles
from newswatch.query_api.app import create_app
from newswatch.query_api.keys import ApiKeyStore
from newswatch_lab.api_bench import drop_prefix

FIXED_NOW = datetime(2025, 7, 1, tzinfo=timezone.utc)


class FakeEncoder:
    """Hashes each word into one of 384 buckets; L2-normalised like the real encoder."""

    dimension = 384

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                vectors[row, int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            if not vectors[row].any():
                vectors[row, 0] = 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _stance(*pairs: str) -> list[StanceJudgement]:
    judgements = []
    for pair in pairs:
        target, label = pair.split(":")
        judgements.append(StanceJudgement(target_id=target, label=label, confidence=0.9))
    return judgements


def _quote(position: int, text: str, speaker: str, organization: str, *stance: str) -> Quote:
    return Quote(
        position=position, kind="direct", text=text, speaker=speaker, speaker_type="person",
        organization=organization, relevance=0.9, is_relevant=True, stance=_stance(*stance),
    )


SOURCES = {"guardian": "The Guardian", "verge": "The Verge", "bbc": "BBC News"}


def _article(slug: str, source: str, day: str, title: str, summary: str, stance: list[str], quotes: list[Quote],
             relevance: float = 0.9, orgs: tuple[str, ...] = ()) -> Article:
    url = f"https://{source}.example/{slug}"
    return Article(
        url=url, canonical_url=url, source_id=source, source_name=SOURCES[source], source_category="news",
        title=title, authors=["Staff"], published_at=datetime.fromisoformat(f"{day}T09:00:00+00:00"),
        language="en", text=f"FULL TEXT OF {slug}. {summary} " * 3, summary=summary,
        relevance=relevance, is_relevant=relevance >= 0.5, stance=_stance(*stance),
        entities=Entities(people=sorted({q.speaker for q in quotes if q.speaker}), organizations=list(orgs)),
        quotes=quotes, content_hash=slug,
    )


def corpus() -> list[Article]:
    articles = [
        _article("artists-sue", "guardian", "2025-03-03", "Illustrators sue image generator over training data",
                 "A guild of illustrators filed suit, saying their portfolios were copied to train a model.",
                 ["consent:against"],
                 [_quote(0, "They took our portfolios without asking anyone.", "Mara Lindqvist", "Illustrators Guild",
                         "consent:against"),
                  _quote(1, "We will defend the case.", "Daniel Okafor", "Synthetica AI", "consent:favor")],
                 orgs=("Illustrators Guild", "Synthetica AI")),
        _article("licensing-deal", "verge", "2025-03-10", "AI lab signs licensing deal with news publisher",
                 "The agreement pays the publisher for archive access used as training data.",
                 ["consent:favor"],
                 [_quote(0, "Paying for data is the right model.", "Daniel Okafor", "Synthetica AI", "consent:favor")],
                 relevance=0.8, orgs=("Synthetica AI",)),
        _article("consultation", "bbc", "2025-04-02", "Copyright exemption for AI opens consultation",
                 "Ministers propose an exemption letting companies mine works unless rights holders opt out.",
                 ["litigation:against"],
                 [_quote(0, "An opt-out regime is unworkable for writers.", "Priya Raman", "Writers Union",
                         "litigation:against")],
                 orgs=("Writers Union", "Ministry of Culture")),
        _article("silent-album", "guardian", "2025-04-20", "Musicians release a silent album in protest",
                 "Hundreds of musicians protest the exemption with an album of empty studios.",
                 ["consent:against", "litigation:against"],
                 [_quote(0, "Silence is what is left if our work is taken.", "Priya Raman", "Writers Union",
                         "consent:against")],
                 relevance=0.85, orgs=("Writers Union",)),
        _article("fair-use", "verge", "2025-05-05", "Synthetica AI says training is fair use",
                 "The company argues that learning from public works is lawful and transformative.",
                 ["consent:favor"],
                 [_quote(0, "Learning from public works is lawful.", "Daniel Okafor", "Synthetica AI",
                         "consent:favor")],
                 relevance=0.75, orgs=("Synthetica AI",)),
        _article("football", "bbc", "2025-05-15", "Weekend football results",
                 "Results from the weekend's matches.", [], [], relevance=0.05),
        _article("delay", "guardian", "2025-06-01", "Government delays decision on AI copyright",
                 "The decision on the exemption is postponed until after the summer.",
                 ["litigation:neutral"],
                 [_quote(0, "We are listening to all sides.", "Tom Becker", "Ministry of Culture",
                         "litigation:neutral")],
                 relevance=0.7, orgs=("Ministry of Culture",)),
        _article("opt-out-tools", "verge", "2025-06-10", "Illustrators welcome new opt-out tools, with doubts",
                 "New tools let artists flag works, but the guild says consent should come first.",
                 ["consent:against", "litigation:against"],
                 [_quote(0, "Consent must come first, not an opt-out form.", "Mara Lindqvist", "Illustrators Guild",
                         "consent:against", "litigation:against")],
                 relevance=0.9, orgs=("Illustrators Guild",)),
    ]
    encoder = FakeEncoder()
    vectors = encoder.encode([f"{a.title} {a.summary}" for a in articles])
    return [a.model_copy(update={"embedding": v.tolist()}) for a, v in zip(articles, vectors)]


def make_config(**overrides) -> ApiSettings:
    base = ApiSettings(max_page_size=50, default_page_size=3, max_time_range_days=366, export_row_cap=5,
                     rate_per_minute=6000, rate_burst=1000, key_cache_seconds=0, cursor_secret="test-secret")
    return replace(base, **overrides)


@dataclass
class ApiWorld:
    settings: Settings
    articles: list[Article]

    def __post_init__(self):
        self.client = es_client(self.settings.es)
        self.store = ApiKeyStore(self.client, self.settings.es.index_prefix)

    def key(self, group: str = "advocacy", indices: tuple[str, ...] = ("articles", "quotes"), editor: bool = False) -> str:
        return self.store.create(group, indices, editor=editor).key

    def http(self, config: ApiSettings | None = None, key: str | None = None, **app_options) -> TestClient:
        options = {"encoder": FakeEncoder(), "client": self.client, "now": lambda: FIXED_NOW, **app_options}
        app = create_app(self.settings, config or make_config(), **options)
        headers = {"X-API-Key": key} if key else {}
        return TestClient(app, headers=headers)

    def article_id(self, slug: str) -> str:
        return next(a.id for a in self.articles if a.canonical_url.endswith("/" + slug))


@pytest.fixture(scope="module")
def api_world(es_base_settings, tmp_path_factory):
    settings = es_base_settings.with_es(index_prefix=f"nwt-api-{uuid.uuid4().hex[:8]}").with_paths(home=tmp_path_factory.mktemp("api-home"))
    client = es_client(settings.es)
    setup_indices(client, settings.es.index_prefix)
    articles = corpus()
    report = write_articles(make_indexer(settings, client), articles, refresh=True)
    assert report.indexed == len(articles) + sum(len(a.quotes) for a in articles) and not report.rejected, report.summary()
    client.indices.refresh(index=f"{settings.es.index_prefix}-*")
    yield ApiWorld(settings, articles)
    drop_prefix(client, settings.es.index_prefix)
    client.close()
