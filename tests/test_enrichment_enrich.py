"""The enrich stage end to end on one article, with a stand-in stance model."""
from __future__ import annotations

import pytest

from newswatch.core.model import Article, Quote, Span, StanceJudgement
from newswatch.enrichment.enrich import (
    Enricher,
    article_lead,
    build_enricher,
    quote_statement,
    statement_passages,
)
from newswatch.enrichment.stance import aggregate_stance
from newswatch.pipeline import analyse_article

TEXT = (
    "Thousands of illustrators have accused the portfolio site Canvasly of handing their artwork to an AI company "
    "for training without asking them. The site changed its terms of service in March. "
    '"Nobody asked us for consent, and nobody offered to pay," said Maya Okafor, who leads the Authors Guild. '
    "Canvasly said the licence in its terms has always covered such uses. "
    '"The stadium tour sold out in minutes," the band\'s manager said in an unrelated interview. '
    "The guild wants an opt-in and payment for artists whose work was used."
)


# The stand-in's notion of "addressed": the passage names the target's subject.
SUBJECTS = {"consent": "consent", "compensation": "pay", "litigation": "suit", "platform_terms": "terms", "transparency": "dataset", "voice_likeness": "voice"}


class RecordingStance:
    """Stands in for newswatch.enrichment.stance.StanceClassifier: records what it is asked.

    A passage addresses a target when it names the target's subject (``SUBJECTS``); a
    passage containing "meritless" is judged against (0.6), any other favor (0.9).
    """

    def __init__(self):
        self.asked: list[tuple[str, str, str]] = []

    def predict_batch(self, items):
        self.asked.extend(items)
        return [self._judge(text, target_id) for text, _, target_id in items]

    @staticmethod
    def is_addressed(judgement: StanceJudgement) -> bool:
        return judgement.addressed >= 0.5

    @staticmethod
    def _judge(text: str, target_id: str) -> StanceJudgement:
        if "meritless" in text:
            probs = {"favor": 0.3, "against": 0.6, "neutral": 0.1}
        else:
            probs = {"favor": 0.9, "against": 0.05, "neutral": 0.05}
        label = max(probs, key=probs.get)
        addressed = 0.9 if SUBJECTS[target_id] in text.lower() else 0.1
        return StanceJudgement(target_id=target_id, label=label, probs=probs, confidence=probs[label], addressed=addressed)


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

    # The relevant quote and the article's lead are read against every target; the
    # off-topic quote is not read at all.
    lead = article_lead(original.title, original.text)
    targets = [t.id for t in enricher.profile.targets]
    assert sorted(stance.asked) == sorted(
        [("Nobody asked us for consent, and nobody offered to pay,", c, t) for t, c in ((t.id, t.claim) for t in enricher.profile.targets)]
        + [(lead, t.claim, t.id) for t in enricher.profile.targets]
    )
    assert len(stance.asked) == 2 * len(targets)
    # Only the targets the quote addresses are kept (consent and pay), in profile order.
    assert [j.target_id for j in on_topic.stance] == ["consent", "compensation"]
    assert all(j.label == "favor" for j in on_topic.stance)
    assert off_topic.stance == []
    # The article's stance comes from the quote and its own lead ("terms of service"), and says which carried it.
    by_target = {j.target_id: j for j in enriched.stance}
    assert {t: j.label for t, j in by_target.items()} == {"consent": "favor", "compensation": "favor", "platform_terms": "favor"}
    assert by_target["consent"].quote_positions == [0] and not by_target["consent"].from_text
    assert by_target["platform_terms"].quote_positions == [] and by_target["platform_terms"].from_text
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
    results = [analyse_article(a, "r1", enricher=base_enricher) for a in (empty, broken, article())]
    (enriched_empty, no_failures), (kept_broken, broken_failures), (enriched, _) = results
    assert no_failures == [] and enriched_empty.summary is None and enriched_empty.relevance == 0.0 and enriched_empty.is_relevant is False
    # The broken article is kept (indexed unenriched), its failure recorded where analysts see failures.
    assert kept_broken.url == broken.url and kept_broken.summary is None
    assert "enrich" in {f.stage for f in broken_failures} and {f.run_id for f in broken_failures} == {"r1"}
    assert enriched.summary


def test_helpers():
    assert quote_statement(Quote(position=0, kind="direct", text='"Hi," he said.', contents=[Span(start=1, end=4, text="Hi,")])) == "Hi,"
    assert quote_statement(Quote(position=0, kind="indirect", text="He said hi.")) == "He said hi."


def test_a_long_quote_is_read_in_passages_and_gets_their_weighted_mean(base_enricher):
    stance = RecordingStance()
    said = (
        "Synthaura never asked the musicians and never paid them. The suit, they say, is meritless. "
        "It is not meritless at all, in our view. We back the suit. The suit is necessary."
    )
    text = f'The guild spoke about the case against Synthaura. "{said}" said Maya Okafor of the guild, which supports creators suing AI firms over training.'
    start = text.index(said)
    url = "https://news.example/suit"
    piece = Article(
        url=url, canonical_url=url, source_id="example", title="Guild backs artists' lawsuit against AI music firm Synthaura", text=text,
        quotes=[Quote(position=0, kind="direct", text=said, contents=[Span(start=start, end=start + len(said), text=said)])],
    )  # fmt: skip
    [quoted] = with_stance(base_enricher, stance).enrich(piece).quotes
    passages = statement_passages(said)
    assert len(passages) == 2
    assert {text for text, _, _ in stance.asked} == {*passages, article_lead(piece.title, piece.text)}
    litigation = {j.target_id: j for j in quoted.stance}["litigation"]
    # One passage against (0.6 sure), one for (0.9 sure), each weighted by confidence x addressed.
    assert litigation.label == "favor"
    assert litigation.probs["against"] == pytest.approx((0.6 * 0.9 * 0.6 + 0.9 * 0.9 * 0.05) / (0.6 * 0.9 + 0.9 * 0.9), abs=1e-3)


def test_passages_skip_fragments():
    assert statement_passages("We back the suit. Yes. It is justified and necessary.") == ["We back the suit. It is justified and necessary."]
    assert statement_passages("Yes.") == ["Yes."]
    assert statement_passages("One two three. Four five six. Seven eight nine. Ten eleven twelve.", per_passage=3) == [
        "One two three. Four five six. Seven eight nine.", "Ten eleven twelve."
    ]


def test_a_batch_shares_one_alias_registry_across_its_articles(base_enricher):
    from newswatch.quotes.aliases import AliasRegistry

    def story(number: int, text: str) -> Article:
        url = f"https://news.example/alliance-{number}"
        return Article(url=url, canonical_url=url, source_id="example", title="Alliance and terms", text=text, language="en")

    first = story(1, "Maya Okafor of the Fair Play for Creators Alliance (FPCA) criticised the terms. “An opt-out puts the burden on artists,” Okafor said.")
    follow_up = story(2, "“We will keep pushing,” Okafor said on Monday.\n\nFPCA said “the terms are still unfair.”")
    registry = AliasRegistry.seeded(())
    analysed = [analyse_article(a, "r1", enricher=base_enricher, aliases=registry)[0] for a in (first, follow_up)]
    assert [(q.speaker, q.organization) for q in analysed[1].quotes] == [
        ("Maya Okafor", "Fair Play for Creators Alliance"),
        ("Fair Play for Creators Alliance", None),
    ]
