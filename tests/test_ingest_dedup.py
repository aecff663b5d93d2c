"""Near-duplicates: syndicated copies share a cluster_id, a different story does not, across runs too."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newswatch.core.model import Article
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.store import write_articles
from newswatch.near_duplicates import (
    MAX_DISTANCE,
    ClusterCandidate,
    assign_cluster,
    assign_clusters,
    content_hash,
    find_candidates,
    hamming,
    simhash,
)

ORIGINAL = """
The streaming platform Soundwave changed its terms of service on Monday, adding a clause that lets the
company use uploaded tracks to train artificial intelligence models. The change was spotted by a group of
independent musicians who compared the new terms with the version published last year. Under the new wording,
anyone who uploads music grants the platform a licence to use the recordings "to develop and improve machine
learning technologies", with no option to opt out and no payment. The Independent Musicians Network said the
clause treats a decade of uploads as free raw material for products that may compete with the artists who made
them. Its chair, Dana Okafor, said creators had been given no notice and no choice, and called on the platform
to restore the previous terms until it has asked for consent. A spokesperson for Soundwave said the company does
not currently train generative models on user uploads and that the clause was meant to cover recommendation
systems and fraud detection. Lawyers who read the terms said the licence is broad enough to cover generative
training regardless of what the company does today. Several labels said they were reviewing their catalogues on
the service, and a songwriters' association asked regulators in Brussels whether the change complies with the
transparency duties of the European AI Act.
"""

SYNDICATED = """
This story first appeared on Music Trade Daily and is republished with permission.
The streaming platform Soundwave changed its terms of service on Monday, adding a clause that allows the
company to use uploaded tracks to train artificial intelligence models. The change was noticed by a group of
independent musicians who compared the new terms with the version published last year. Under the new wording,
anyone who uploads music grants the platform a licence to use the recordings "to develop and improve machine
learning technologies", with no option to opt out and no payment. The Independent Musicians Network said the
clause treats ten years of uploads as free raw material for products that may compete with the artists who made
them. Its chair, Dana Okafor, said creators had been given no notice and no choice, and called on the platform
to restore the previous terms until it has asked for consent. A spokesperson for Soundwave said the firm does
not currently train generative models on user uploads and that the clause was meant to cover recommendation
systems and fraud detection. Lawyers who read the terms said the licence is broad enough to cover generative
training regardless of what the company does today. Several labels said they were reviewing their catalogues on
the service.
"""

DIFFERENT_STORY = """
A coalition of illustrators and photographers filed a lawsuit in California on Thursday against the developer
of an image generator, arguing that the company copied millions of their pictures without permission to build
its model. The complaint says the training data set included watermarked stock photos and portfolio images
scraped from artists' personal websites, and asks the court to order the deletion of models trained on them.
The developer said its use of publicly available images is lawful fair use and that the model does not store
copies of the works it learned from. Legal scholars said the case could turn on whether the outputs compete
with the originals in the market for licensed illustration. The plaintiffs also want compensation for past use
and a licensing system for the future, similar to the deals some news publishers have signed with AI firms.
A hearing on the developer's motion to dismiss is expected in the autumn, and the artists' association backing
the case said it had received hundreds of messages from members who found their work in the data set.
"""

NOW = datetime(2025, 5, 20, 12, 0, tzinfo=timezone.utc)


def article(url: str, text: str, hours: int = 0) -> Article:
    return Article(url=url, canonical_url=url, source_id="test", text=text, published_at=NOW + timedelta(hours=hours), fetched_at=NOW)


def test_signature_is_deterministic_hex_and_skips_short_texts():
    signature = simhash(ORIGINAL)
    assert signature == simhash(ORIGINAL) and len(signature) == 32 and int(signature, 16) >= 0
    assert simhash("Too short to say anything about a story.") is None


def test_content_hash_ignores_case_and_whitespace_only():
    assert content_hash(ORIGINAL) == content_hash("  " + ORIGINAL.upper().replace("\n", " "))
    assert content_hash(ORIGINAL) != content_hash(SYNDICATED)


def test_copies_are_near_and_different_stories_far():
    original, copy, other = simhash(ORIGINAL), simhash(SYNDICATED), simhash(DIFFERENT_STORY)
    assert hamming(original, copy) <= MAX_DISTANCE
    assert hamming(original, other) > MAX_DISTANCE + 5


def test_syndicated_copy_shares_cluster_and_different_story_does_not():
    first = article("https://trade.example/soundwave-terms-ai", ORIGINAL)
    copy = article("https://wire.example/2025/05/soundwave-changes-terms", SYNDICATED, hours=3)
    other = article("https://news.example/artists-sue-image-generator", DIFFERENT_STORY, hours=1)
    clustered = assign_clusters([copy, other, first])
    by_url = {a.url: a for a in clustered}
    assert [a.url for a in clustered] == [copy.url, other.url, first.url]  # input order kept
    assert by_url[copy.url].cluster_id == by_url[first.url].cluster_id == first.id  # named after the earliest
    assert by_url[other.url].cluster_id == other.id
    assert all(a.simhash for a in clustered)


def test_assignment_is_independent_of_candidate_order():
    signature = simhash(SYNDICATED)
    near = [ClusterCandidate("a", simhash(ORIGINAL), "cluster-b"), ClusterCandidate("c", simhash(ORIGINAL), "cluster-a")]
    assert assign_cluster("new", signature, near) == assign_cluster("new", signature, near[::-1]) == "cluster-a"
    assert assign_cluster("new", None, near) == "new"
    assert assign_cluster("a", signature, near) == "cluster-b"  # an article keeps its own cluster


@pytest.mark.integration
def test_clusters_span_runs_through_elasticsearch(es_ready, es_settings):
    prefix = es_settings.es.index_prefix
    first_run = assign_clusters([article("https://trade.example/soundwave-terms-ai", ORIGINAL)])
    write_articles(make_indexer(es_settings, es_ready), first_run, refresh=True)

    copy = article("https://wire.example/2025/05/soundwave-changes-terms", SYNDICATED, hours=5)
    other = article("https://news.example/artists-sue-image-generator", DIFFERENT_STORY, hours=5)
    candidates = find_candidates(es_ready, prefix, copy)
    assert [c.article_id for c in candidates] == [first_run[0].id]
    second_run = assign_clusters([copy, other], es_ready, prefix)
    assert second_run[0].cluster_id == first_run[0].cluster_id == first_run[0].id
    assert second_run[1].cluster_id == other.id

    rerun = assign_clusters(first_run, es_ready, prefix)
    assert rerun[0].cluster_id == first_run[0].cluster_id
