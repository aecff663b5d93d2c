"""The enrich stage end to end on one article, with a stand-in stance model."""
from __future__ import annotations

import pytest

from enrichment.enrich import Enricher, build_enricher, closest_targets, enrich_articles, quote_statement
from newswatch.model import Article, Quote, Span, StanceJudgement

TEXT = (
    "Thousands of illustrators have accused the portfolio site Canvasly of handing their artwork to an AI company "
    "for training without asking them. The site changed its terms of service in March. "
    '"Nobody asked us for consent, and nobody offered to pay," said Maya Okafor, who leads the Authors Guild. '
    "Canvasly said the licence in its terms has always covered such uses. "
    '"The stadium tour sold out in minutes," the band\'s manager said in an unrelated interview. '
    "The guild wants an opt-in and payment for artists whose work was used."
)


class RecordingStance:
    """Stands in for enrichment.stance.StanceClassifier: records what it is asked."""

    def __init__(self):
        self.asked: list[tuple[str, str, str]] = []

    def predict_batch(self, items):
        self.asked.extend(items)
        return [StanceJudgement(target_id=target_id, label="favor", probs={"favor": 0.9, "against": 0.05, "neutral": 0.05}, confidence=0.9) for _, _, target_id in items]


def aggregate(judgements):
    return [StanceJudgement(target_id="summary", label="favor", probs={}, confidence=float(len(judgements)))]


def quote(position: int, sentence: str) -> Quote:
    start = TEXT.index(sentence)
    return Quote(position=position, kind="direct", text=sentence, contents=[Span(start=start, end=start + len(sentence), text=sentence)])


@pytest.fixture(scope="module")
def base_enricher() -> Enricher:
    return build_enricher(stance=False)


def article() -> Article:
    url = "https://news.example/canvasly"
    return Article(
        url=url, canonical_url=url, source_id="example", title="Illustrators accuse Canvasly of feeding their work to an AI firm", text=TEXT,
        quotes=[quote(0, "Nobody asked us for consent, and nobody offered to pay,"), quote(1, "The stadium tour sold out in minutes,")],
    )  # fmt: skip


def test_enrich_fills_every_field(base_enricher):
    stance = RecordingStance()
    enricher = Enricher(base_enricher.profile, base_enricher.relevance, base_enricher.summarizer, stance_model=stance, aggregate_stance=aggregate)
    original = article()
    enriched = enricher.enrich(original)

    assert enriched.is_relevant and enriched.relevance > 0.8
    assert enriched.summary and enriched.summary.startswith("Thousands of illustrators")
    assert len(enriched.embedding) == 384
    assert "Maya Okafor" in enriched.entities.people
    assert "Authors Guild" in enriched.entities.organizations
    on_topic, off_topic = enriched.quotes
    assert on_topic.is_relevant and not off_topic.is_relevant
    assert off_topic.relevance < on_topic.relevance

    # Stance only for the relevant quote, against at most two targets, closest first.
    assert stance.asked and all(text == "Nobody asked us for consent, and nobody offered to pay," for text, _, _ in stance.asked)
    assert 1 <= len(stance.asked) <= 2
    assert {target for _, _, target in stance.asked} & {"consent", "compensation"}
    assert [j.target_id for j in on_topic.stance] == [target for _, _, target in stance.asked]
    assert off_topic.stance == []
    assert enriched.stance == [StanceJudgement(target_id="summary", label="favor", probs={}, confidence=float(len(stance.asked)))]
    # Other stages' fields are untouched, and the input is not mutated.
    assert (enriched.url, enriched.text, enriched.quotes[0].text) == (original.url, original.text, original.quotes[0].text)
    assert original.summary is None and original.quotes[0].relevance is None


def test_without_a_stance_model_stance_stays_empty(base_enricher):
    enriched = base_enricher.enrich(article())
    assert enriched.stance == [] and all(q.stance == [] for q in enriched.quotes)
    assert enriched.quotes[0].is_relevant


def test_empty_text_and_failures_do_not_stop_a_batch(base_enricher):
    empty = Article(url="https://e.example/1", canonical_url="https://e.example/1", source_id="e", text="")
    broken = article().model_copy(update={"text": None})
    enriched, failures = enrich_articles([empty, broken, article()], base_enricher, run_id="r1")
    assert [a.url for a in enriched] == ["https://e.example/1", "https://news.example/canvasly"]
    assert enriched[0].summary is None and enriched[0].relevance == 0.0 and enriched[0].is_relevant is False
    assert len(failures) == 1 and failures[0].stage == "enrich" and failures[0].run_id == "r1"


def test_helpers():
    assert quote_statement(Quote(position=0, kind="direct", text='"Hi," he said.', contents=[Span(start=1, end=4, text="Hi,")])) == "Hi,"
    assert quote_statement(Quote(position=0, kind="indirect", text="He said hi.")) == "He said hi."
    import numpy as np

    assert closest_targets(np.array([0.1, 0.5, 0.3, 0.25]), 2, 0.2) == [1, 2]
    assert closest_targets(np.array([0.1, 0.15]), 2, 0.2) == []
