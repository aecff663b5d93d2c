"""Near-duplicate detection: syndicated and lightly edited copies share a ``cluster_id``.

Exact duplicates already collapse on the canonical URL (``Article.id``). Copies
of one story at different URLs (a wire story on five sites, a press release
republished with a new intro) are caught on the text with SimHash:

* the text is cut into overlapping word shingles; each shingle's 128-bit
  BLAKE2 hash votes +1/-1 per bit, weighted by how often the shingle occurs;
  the signs form the signature, stored as 32 hex digits in ``Article.simhash``;
* two texts are copies when their signatures differ in at most
  ``MAX_DISTANCE`` bits (angle between the shingle vectors, in effect).

Clusters survive across runs because signatures live in Elasticsearch: for a
new article, ``find_candidates`` asks the ``articles`` index for recent,
textually similar articles (a ``more_like_this`` query, which the inverted
index answers fast) with their ``simhash`` and ``cluster_id``, and
``assign_cluster`` joins the closest one within the threshold or founds a new
cluster named after the article itself. Everything is deterministic: the same
article with the same candidates always gets the same cluster, and a batch is
processed in a fixed order (``assign_clusters``), each article becoming a
candidate for the ones after it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from elasticsearch import Elasticsearch

from newswatch.core.model import Article, stable_id, utcnow
from newswatch.indexing.schema import IndexNames

SIMHASH_BITS = 128
SHINGLE_WORDS = 2
# Calibrated with `newswatch eval dedup` (numbers in newswatch_lab/near_duplicates_eval.py): syndicated and
# lightly edited copies fall below it, and no two different articles of the set came closer than 33.
MAX_DISTANCE = 30
# Below this many words a signature is noise (a title, a teaser): such articles are not merged.
MIN_WORDS = 40
CANDIDATE_WINDOW = timedelta(days=14)

_WORD = re.compile(r"\w+", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def simhash(text: str) -> str | None:
    """The 128-bit SimHash of ``text`` as 32 hex digits; None when there are too few words."""
    words = _tokens(text)
    if len(words) < MIN_WORDS:
        return None
    shingles: dict[str, int] = {}
    for start in range(len(words) - SHINGLE_WORDS + 1):
        shingle = " ".join(words[start:start + SHINGLE_WORDS])
        shingles[shingle] = shingles.get(shingle, 0) + 1
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=SIMHASH_BITS // 8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(len(shingles), SIMHASH_BITS // 8), axis=1)
    weights = np.fromiter(shingles.values(), dtype=np.int64, count=len(shingles))
    votes = (bits.astype(np.int64) * 2 - 1).T @ weights
    return np.packbits(votes > 0).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class ClusterCandidate:
    """An already-clustered article: its id, signature and cluster."""

    article_id: str
    simhash: str
    cluster_id: str


def assign_cluster(
    article_id: str, signature: str | None, candidates: list[ClusterCandidate], max_distance: int = MAX_DISTANCE,
) -> str:
    """The cluster of the nearest candidate within ``max_distance`` bits, else a new one.

    A new cluster is named after its first article (``article_id``), so re-running
    the same article gives the same id. Ties on distance go to the smaller
    cluster id, so the answer never depends on the candidates' order.
    """
    if signature is None:
        return article_id
    best: tuple[int, str] | None = None
    for candidate in candidates:
        if candidate.article_id == article_id:
            # Re-processing an article keeps its cluster.
            return candidate.cluster_id
        distance = hamming(signature, candidate.simhash)
        if distance <= max_distance and (best is None or (distance, candidate.cluster_id) < best):
            best = (distance, candidate.cluster_id)
    return best[1] if best else article_id


def candidate_query(text: str, since: datetime, exclude_id: str | None = None) -> dict:
    """An ``articles`` query for recent, textually similar articles that have a signature.

    ``more_like_this`` picks the text's most distinctive terms, so copies of a
    story rank first; the SimHash check afterwards decides. The time window keeps
    old stories on the same subject out and the query cheap.
    """
    query: dict = {
        "bool": {
            "filter": [{"exists": {"field": "simhash"}}, {"range": {"fetched_at": {"gte": since.isoformat()}}}],
            "must": [{"more_like_this": {
                "fields": ["text"], "like": text[:20000],
                "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 40, "minimum_should_match": "30%",
            }}],
        }
    }
    if exclude_id:
        query["bool"]["must_not"] = [{"ids": {"values": [exclude_id]}}]
    return query


def find_candidates(client: Elasticsearch, prefix: str, article: Article, size: int = 20, window: timedelta = CANDIDATE_WINDOW) -> list[ClusterCandidate]:
    """Stored articles that may be copies of ``article`` (including an earlier version of itself)."""
    since = (article.published_at or article.fetched_at or utcnow()) - window
    alias = IndexNames(prefix).alias("articles")
    found = client.search(
        index=alias, query=candidate_query(article.text, since), size=size,
        source_includes=["simhash", "cluster_id"],
    )["hits"]["hits"]
    own = client.options(ignore_status=404).get(index=alias, id=article.id, source_includes=["simhash", "cluster_id"])
    hits = ([own] if own.get("found") else []) + found
    return [
        ClusterCandidate(hit["_id"], hit["_source"]["simhash"], hit["_source"].get("cluster_id") or hit["_id"])
        for hit in hits if hit["_source"].get("simhash")
    ]


def _batch_order(article: Article) -> tuple:
    # Earliest first, so a cluster is named after the first publication of a story.
    published = article.published_at or article.fetched_at
    return (published.timestamp() if published else float("inf"), article.canonical_url)


def assign_clusters(articles: list[Article], client: Elasticsearch | None = None, prefix: str | None = None) -> list[Article]:
    """Fill ``simhash`` and ``cluster_id`` for a batch, in the input order.

    With a client, stored articles are candidates too (clusters span runs);
    without one, only the batch itself is (tests, offline use).
    """
    assigned: dict[str, Article] = {}
    in_batch: list[ClusterCandidate] = []
    for article in sorted(articles, key=_batch_order):
        signature = simhash(article.text)
        stored = find_candidates(client, prefix, article) if client is not None and prefix and signature else []
        cluster = assign_cluster(article.id, signature, stored + in_batch)
        if signature:
            in_batch.append(ClusterCandidate(article.id, signature, cluster))
        assigned[article.id] = article.model_copy(update={"simhash": signature, "cluster_id": cluster})
    return [assigned[a.id] for a in articles]


def content_hash(text: str) -> str:
    """Exact-text fingerprint (case and whitespace folded) for ``Article.content_hash``."""
    return stable_id(" ".join(_tokens(text)))
