"""The enrich stage: ``Article -> Article`` with relevance, summary, entities, embedding and stance.

Everything model-backed is loaded once per worker (``get_enricher``) and shared:
the MiniLM encoder serves relevance, the summary and the stored embedding, and
caches sentence embeddings by content, so the title and first sentences of an
article are encoded once even though relevance and the summariser both read them.

Stance comes from ``newswatch.enrichment.stance``. Every quote judged relevant is read against every
target of the profile, and the model itself says which targets it addresses: a target is
kept for a quote only when the model judges it addressed, so a quote about voice clones
carries no judgement about dataset transparency. A quote is read in passages of up to
three sentences (the model learned from statements of that length; a long quote often
concedes a point before making its own), and its stance towards a target is the
aggregate of its passages'. The article's stance per target is the aggregate of its
quotes' and of its own lead (title and first sentences: a terms update or a press release
states its position without quoting anyone), and names the quotes that carried it. When
no stance model is installed the stage still runs and leaves stance empty (logged once).
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from newswatch.core.model import Article, Quote, StanceJudgement
from newswatch.enrichment.entities import extract_entities
from newswatch.enrichment.profile import TopicProfile, load_profile
from newswatch.enrichment.relevance import RelevanceScorer, quote_relevance
from newswatch.enrichment.sentences import split_sentences
from newswatch.enrichment.summarize import Summarizer, SummaryConfig, build_summarizer

log = logging.getLogger(__name__)

STAGE = "enrich"
MIN_SENTENCE_WORDS = 3
SENTENCES_PER_PASSAGE = 3
LEAD_SENTENCES = 2


class StanceModel(Protocol):
    """What enrichment needs from the stance classifier (``newswatch.enrichment.stance.StanceClassifier``)."""

    def predict_batch(self, items: Sequence[tuple[str, str, str]]) -> list[StanceJudgement]: ...

    def is_addressed(self, judgement: StanceJudgement) -> bool: ...

    def clear_cache(self) -> None: ...


Aggregate = Callable[..., list[StanceJudgement]]


def load_stance_model() -> tuple[StanceModel | None, Aggregate | None]:
    """(classifier, aggregate function), or (None, None) when no trained stance model is installed."""
    try:
        from newswatch.enrichment.stance import (
            StanceModelUnavailable,
            aggregate_stance,
            get_stance_classifier,
        )
    except ImportError as exc:
        log.warning("stance module not available (%s): articles are enriched without stance", exc)
        return None, None
    try:
        return get_stance_classifier(), aggregate_stance
    except StanceModelUnavailable as exc:
        log.warning("%s: articles are enriched without stance", exc)
        return None, None


def quote_statement(quote: Quote) -> str:
    """The speaker's own words when the quote extractor marked them, else the whole quote."""
    if quote.contents:
        return " ".join(span.text for span in quote.contents)
    return quote.text


def statement_passages(statement: str, per_passage: int = SENTENCES_PER_PASSAGE) -> list[str]:
    """A quote cut into passages of up to ``per_passage`` sentences (the whole quote when it is short)."""
    sentences = [s for s in split_sentences(statement) if len(s.split()) >= MIN_SENTENCE_WORDS] or [statement]
    return [" ".join(sentences[i : i + per_passage]) for i in range(0, len(sentences), per_passage)]


def article_lead(title: str | None, text: str, sentences: int = LEAD_SENTENCES) -> str:
    """Title and first sentences: where an article without quotes states its own position."""
    return " ".join([*([title.strip()] if title and title.strip() else []), *split_sentences(text)[:sentences]])


@dataclass
class Enricher:
    profile: TopicProfile
    relevance: RelevanceScorer
    summarizer: Summarizer
    stance_model: StanceModel | None = None
    aggregate_stance: Aggregate | None = None

    def enrich(self, article: Article) -> Article:
        """A copy of ``article`` with the enrichment fields filled (other fields untouched)."""
        probability, vector = self.relevance.score_article(article.title, article.text)
        summary = self.summarizer.summarize(article.text) if article.text.strip() else None
        entities = extract_entities(article.text, article.title, self.profile.known_organization_keys)
        quotes = self._score_quotes(article.quotes, probability)
        quotes, article_stance = self._judge_stance(quotes, article_lead(article.title, article.text) if self.relevance.is_relevant(probability) else None)
        return article.model_copy(
            update={
                "relevance": round(probability, 4),
                "is_relevant": self.relevance.is_relevant(probability),
                "summary": summary or None,
                "entities": entities,
                "embedding": [float(v) for v in vector] if vector.size else None,
                "quotes": quotes,
                "stance": article_stance,
            }
        )

    def _score_quotes(self, quotes: list[Quote], article_probability: float) -> list[Quote]:
        """Quotes with their relevance (stance cleared, to be judged afresh)."""
        if not quotes:
            return []
        own = self.relevance.score_texts([quote_statement(q) for q in quotes])
        scored = []
        for quote, own_probability in zip(quotes, own):
            probability = quote_relevance(float(own_probability), article_probability)
            scored.append(quote.model_copy(update={"relevance": round(probability, 4), "is_relevant": self.relevance.is_relevant(probability), "stance": []}))
        return scored

    def _judge_stance(self, quotes: list[Quote], lead: str | None) -> tuple[list[Quote], list[StanceJudgement]]:
        """Relevant quotes and the article's lead judged against every target; only addressed targets kept.

        Returns the quotes with their stance and the article's stance, aggregated over the
        quotes' and the lead's judgements (the lead is None for an article that is not relevant).
        """
        if self.stance_model is None or self.aggregate_stance is None:
            return quotes, []
        targets = self.profile.targets
        # (quote index or None for the lead, passage): each passage is judged against every target.
        passages = [(i, p) for i, q in enumerate(quotes) if q.is_relevant for p in statement_passages(quote_statement(q))]
        if lead:
            passages.append((None, lead))
        if not passages:
            return quotes, []
        judgements = self.stance_model.predict_batch([(passage, t.claim, t.id) for _, passage in passages for t in targets])
        by_owner: dict[int | None, list[StanceJudgement]] = {}
        for number, (owner, _) in enumerate(passages):
            by_owner.setdefault(owner, []).extend(judgements[number * len(targets) : (number + 1) * len(targets)])
        order = {t.id: n for n, t in enumerate(targets)}
        evidence: list[StanceJudgement] = []
        positions: list[int | None] = []
        for owner, found in by_owner.items():
            kept = sorted((j for j in self.aggregate_stance(found) if self.stance_model.is_addressed(j)), key=lambda j: order[j.target_id])
            if owner is not None:
                quotes[owner] = quotes[owner].model_copy(update={"stance": kept})
            evidence += kept
            positions += [None if owner is None else quotes[owner].position] * len(kept)
        return quotes, list(self.aggregate_stance(evidence, positions=positions))


def build_enricher(
    profile: TopicProfile | None = None,
    *,
    encoder=None,
    summary_config: SummaryConfig | None = None,
    stance: bool = True,
) -> Enricher:
    from newswatch.enrichment.model_service import get_encoder

    profile = profile or load_profile()
    encoder = encoder or get_encoder()
    summarizer = build_summarizer(summary_config, encoder=encoder)
    stance_model, aggregate = load_stance_model() if stance else (None, None)
    return Enricher(
        profile=profile,
        relevance=RelevanceScorer(profile, encoder),
        summarizer=summarizer,
        stance_model=stance_model,
        aggregate_stance=aggregate,
    )


@functools.lru_cache(maxsize=1)
def get_enricher() -> Enricher:
    """The process-wide enricher for the configured profile (NEWSWATCH_PROFILE)."""
    return build_enricher()


def enrich_article(article: Article, enricher: Enricher | None = None) -> Article:
    """Fill summary, relevance/is_relevant, entities, embedding, per-quote relevance and stance."""
    return (enricher or get_enricher()).enrich(article)


__all__ = ["Enricher", "build_enricher", "enrich_article", "get_enricher"]
