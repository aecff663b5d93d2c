"""The enrich stage end to end on one article, with a stand-in stance model."""
from __future__ import annotations

import pytest

import numpy as np

from enrichment.enrich import Enricher, build_enricher, enrich_articles, quote_statement, select_targets, statement_sentences
from enrichment.profile import StanceTarget
from enrichment.stance import aggregate_stance
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
    """Stands in for enrichment.stance.StanceClassifier: records what it is asked.

    A sentence containing "meritless" is judged against (0.6), any other favor (0.9).
    """

    def __init__(self):
        self.asked: list[tuple[str, str, str]] = []

    def predict_batch(self, items):
        self.asked.extend(items)
        return [self._judge(text, target_id) for text, _, target_id in items]

    @staticmethod
    def _judge(text: str, target_id: str) -> StanceJudgement:
        if "meritless" in text:
            probs = {"favor": 0.3, "against": 0.6, "neutral": 0.1}
        else:
            probs = {"favor": 0.9, "against": 0.05, "neutral": 0.05}
        label = max(probs, key=probs.get)
        return StanceJudgement(target_id=target_id, label=label, probs=probs, confidence=probs[label])


def with_stance(base: Enricher, stance: RecordingStance) -> Enricher:
    return Enricher(base.profile, base.relevance, base.summarizer, stance_model=stance, aggregate_stance=aggregate_stance)


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
    enricher = with_stance(base_enricher, stance)
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

    # Stance only for the relevant quote, against the targets it is about (it asks for
    # consent and pay): not against litigation, transparency or voice cloning.
    assert stance.asked and all(text == "Nobody asked us for consent, and nobody offered to pay," for text, _, _ in stance.asked)
    assert sorted(target for _, _, target in stance.asked) == ["compensation", "consent"]
    assert [j.target_id for j in on_topic.stance] == ["consent", "compensation"]  # profile order
    assert all(j.label == "favor" for j in on_topic.stance)
    assert off_topic.stance == []
    assert {j.target_id: j.label for j in enriched.stance} == {"consent": "favor", "compensation": "favor"}
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


def test_each_sentence_of_a_quote_is_judged_and_the_quote_gets_their_weighted_mean(base_enricher):
    stance = RecordingStance()
    said = "Synthaura never asked the musicians and never paid them. The company calls the lawsuit meritless, but it is not. We back the suit."
    text = f'The guild spoke about the case against Synthaura. "{said}" said Maya Okafor of the guild, which supports creators suing AI firms over training.'
    start = text.index(said)
    url = "https://news.example/suit"
    piece = Article(
        url=url, canonical_url=url, source_id="example", title="Guild backs artists' lawsuit against AI music firm Synthaura", text=text,
        quotes=[Quote(position=0, kind="direct", text=said, contents=[Span(start=start, end=start + len(said), text=said)])],
    )  # fmt: skip
    [quoted] = with_stance(base_enricher, stance).enrich(piece).quotes
    assert sorted({text for text, _, _ in stance.asked}) == sorted(statement_sentences(said))
    assert len(statement_sentences(said)) == 3
    litigation = {j.target_id: j for j in quoted.stance}["litigation"]
    # Two sentences for (0.9 sure), one against (0.6 sure): each weighted by its confidence.
    assert litigation.label == "favor"
    assert litigation.probs["against"] == pytest.approx((2 * 0.9 * 0.05 + 0.6 * 0.6) / (0.9 + 0.6 + 0.9), abs=1e-3)


def test_target_selection_keeps_the_closest_and_the_ones_named():
    targets = [
        StanceTarget(id="consent", claim="Consent first.", cues=("consent", "ask")),
        StanceTarget(id="compensation", claim="Pay creators.", cues=("pay", "paid", "licens")),
        StanceTarget(id="voice", claim="No voice clones.", cues=("voice", "clone")),
        StanceTarget(id="other", claim="A target without cues."),
    ]
    similarities = np.array([0.5, 0.45, 0.48, 0.1])
    assert select_targets(similarities, "They never asked and never paid.", targets, 3, 0.2) == [0, 1]
    # Close in embedding space is not enough for a second target: it must be named.
    assert select_targets(similarities, "They never asked us.", targets, 3, 0.2) == [0]
    assert select_targets(similarities, "Licensing, consent and voice clones.", targets, 2, 0.2) == [0, 2]
    # A target without cues competes on similarity alone; nothing under the floor is judged.
    assert select_targets(np.array([0.5, 0.1, 0.1, 0.3]), "Nothing named.", targets, 3, 0.2) == [0, 3]
    assert select_targets(np.array([0.1, 0.15, 0.05, 0.0]), "They never paid.", targets, 3, 0.2) == []


def test_quote_sentences_skip_fragments():
    assert statement_sentences("We back the suit. Yes. It is justified and necessary.") == ["We back the suit.", "It is justified and necessary."]
    assert statement_sentences("Yes.") == ["Yes."]
