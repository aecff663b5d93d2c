"""Is a text about the monitored topic? A probability and a flag per article and per quote.

Representation: a text is the L2-normalised mean of its sentence embeddings
(for an article: the title and its first sentences). Two kinds of evidence feed
a logistic-regression head:

* topic similarity (4 numbers): cosine to the profile's description, the
  highest and the mean of the three highest cosines to its keywords, and the
  highest cosine to its stance targets (claim + description);
* the embedding itself (384 numbers), which lets the head learn the
  near-misses a similarity cannot separate (AI news that is not about creators,
  music-industry news that is not about AI).

The head file (``models/relevance_<profile id>.json``, written by
``python -m newswatch_lab.relevance_training``) holds both a full model and a
similarity-only model. A profile without its own head is scored with the
similarity-only model of the default profile, which depends on the text only
through its similarity to the profile, so a new topic works (less precisely)
before anyone labels data for it.

Off-topic articles are still indexed with ``is_relevant=False``; the digest
filters on the flag.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from newswatch.core.settings import MODELS_DIR
from newswatch.enrichment.profile import DEFAULT_PROFILE, TopicProfile
from newswatch.enrichment.sentences import prepare_sentences

SIMILARITY_FEATURES = ("description", "keyword_max", "keyword_top3", "target_max")
DEFAULT_THRESHOLD = 0.5
# A quote is judged mostly on its own words, but a short quote ("We will see
# them in court.") only makes sense in its article: blend in the article's score.
QUOTE_CONTEXT_WEIGHT = 0.4
MAX_ARTICLE_SENTENCES = 15

log = logging.getLogger(__name__)


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class RelevanceModelError(RuntimeError):
    """The relevance head is missing or does not fit the code."""


def head_path(profile_id: str) -> Path:
    return MODELS_DIR / f"relevance_{profile_id}.json"


@dataclass(frozen=True)
class LinearModel:
    coefficients: np.ndarray
    intercept: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.coefficients + self.intercept)))

    def to_json(self) -> dict:
        return {"coefficients": [round(float(v), 6) for v in self.coefficients], "intercept": round(float(self.intercept), 6)}

    @staticmethod
    def from_json(data: dict) -> "LinearModel":
        return LinearModel(np.asarray(data["coefficients"], dtype=np.float64), float(data["intercept"]))


@dataclass(frozen=True)
class RelevanceHead:
    profile_id: str
    full: LinearModel  # over [embedding, similarity features]
    similarity_only: LinearModel  # over similarity features
    threshold: float = DEFAULT_THRESHOLD
    metadata: dict = field(default_factory=dict, compare=False)

    @staticmethod
    def load(path: Path) -> "RelevanceHead":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RelevanceModelError(f"cannot read relevance head {path}: {exc}") from exc
        if tuple(data.get("similarity_features", ())) != SIMILARITY_FEATURES:
            raise RelevanceModelError(f"relevance head {path} expects features {data.get('similarity_features')}, code computes {SIMILARITY_FEATURES}")
        return RelevanceHead(
            profile_id=data["profile_id"],
            full=LinearModel.from_json(data["full"]),
            similarity_only=LinearModel.from_json(data["similarity_only"]),
            threshold=float(data.get("threshold", DEFAULT_THRESHOLD)),
            metadata={k: v for k, v in data.items() if k not in {"full", "similarity_only"}},
        )


class TopicPrototypes:
    """Embeddings of the profile's description, keywords and targets."""

    def __init__(self, profile: TopicProfile, encoder: Encoder):
        self.description = encoder.encode([profile.description])[0]
        self.keywords = encoder.encode(list(profile.keywords))
        self.targets = encoder.encode([f"{t.claim} {t.description}".strip() for t in profile.targets])

    def similarity_features(self, vectors: np.ndarray) -> np.ndarray:
        keyword = vectors @ self.keywords.T
        top = min(3, keyword.shape[1])
        return np.stack(
            [
                vectors @ self.description,
                keyword.max(axis=1),
                np.sort(keyword, axis=1)[:, -top:].mean(axis=1),
                (vectors @ self.targets.T).max(axis=1),
            ],
            axis=1,
        )


def mean_vector(sentence_embeddings: np.ndarray) -> np.ndarray:
    """The normalised mean of sentence embeddings (zeros for no sentences)."""
    if len(sentence_embeddings) == 0:
        return np.zeros(sentence_embeddings.shape[1] if sentence_embeddings.ndim == 2 else 0, dtype=np.float32)
    vector = sentence_embeddings.mean(axis=0)
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


def article_units(title: str | None, text: str, limit: int = MAX_ARTICLE_SENTENCES) -> list[str]:
    """What an article is represented by: its title and first sentences.

    The same sentences the extractive summariser encodes, so enriching an
    article encodes each of them once (the encoder caches by content).
    """
    return ([title.strip()] if title and title.strip() else []) + prepare_sentences(text, limit=limit).plain


class RelevanceScorer:
    def __init__(self, profile: TopicProfile, encoder: Encoder, head: RelevanceHead | None = None):
        self.profile = profile
        self.encoder = encoder
        self.head = head or load_head_for(profile)
        self.prototypes = TopicPrototypes(profile, encoder)
        self.uses_full_model = self.head.profile_id == profile.id
        if not self.uses_full_model:
            log.warning("no relevance head for profile %s: using the similarity-only model of %s", profile.id, self.head.profile_id)

    @property
    def threshold(self) -> float:
        return self.head.threshold

    def score_vectors(self, vectors: np.ndarray) -> np.ndarray:
        """Relevance probabilities for document vectors (rows L2-normalised)."""
        vectors = np.atleast_2d(vectors)
        similarity = self.prototypes.similarity_features(vectors)
        if self.uses_full_model:
            return self.head.full.probability(np.hstack([vectors, similarity]))
        return self.head.similarity_only.probability(similarity)

    def score_texts(self, texts: list[str]) -> np.ndarray:
        """One probability per short text (a quote, a headline), each encoded as one unit."""
        if not texts:
            return np.zeros(0)
        return self.score_vectors(self.encoder.encode(texts))

    def score_article(self, title: str | None, text: str) -> tuple[float, np.ndarray]:
        """(probability, document vector) for an article."""
        units = article_units(title, text)
        if not units:
            return 0.0, np.zeros(0, dtype=np.float32)
        vector = mean_vector(self.encoder.encode(units))
        return float(self.score_vectors(vector)[0]), vector

    def is_relevant(self, probability: float) -> bool:
        return probability >= self.threshold


def _logit(probability: float) -> float:
    clipped = min(max(probability, 1e-4), 1 - 1e-4)
    return float(np.log(clipped / (1 - clipped)))


def quote_relevance(own: float, article: float | None) -> float:
    """Blend a quote's own probability with its article's, in log-odds.

    Log-odds rather than probabilities: a clearly off-topic aside (own 0.001)
    stays off-topic even in a clearly relevant article, while a terse on-topic
    remark ("Nobody asked us.", own 0.15) is lifted by its article.
    """
    if article is None:
        return own
    blended = (1 - QUOTE_CONTEXT_WEIGHT) * _logit(own) + QUOTE_CONTEXT_WEIGHT * _logit(article)
    return float(1 / (1 + np.exp(-blended)))


def load_head_for(profile: TopicProfile) -> RelevanceHead:
    own = head_path(profile.id)
    if own.exists():
        return RelevanceHead.load(own)
    fallback = head_path(DEFAULT_PROFILE)
    if not fallback.exists():
        raise RelevanceModelError(f"no relevance head at {own} or {fallback} (run: python -m newswatch_lab.relevance_training)")
    return RelevanceHead.load(fallback)
