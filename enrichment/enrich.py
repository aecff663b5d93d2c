"""The enrich stage: ``Article -> Article`` with relevance, summary, entities, embedding and stance.

Everything model-backed is loaded once per worker (``get_enricher``) and shared:
the MiniLM encoder serves relevance, the summary and the stored embedding, and
caches sentence embeddings by content, so the title and first sentences of an
article are encoded once even though relevance and the summariser both read them.

Stance comes from ``enrichment.stance`` (two trained experts over sentence
embeddings). Only quotes judged relevant are classified, and only against the
targets they are about (``select_targets``): the closest by cosine, and any other
the quote names by one of the target's cue words. A quote about voice clones says
nothing about dataset transparency, and a judgement against an unrelated target
would only add noise to the article's aggregate. Each sentence of a quote is
judged on its own (the model was trained on single statements, and a long quote
often concedes a point before making its own), and the quote's stance towards a
target is the confidence-weighted mean of its sentences'. The article's stance is the stance module's aggregate over its
quotes. When no stance model is installed the stage still runs and leaves
stance empty (logged once).
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from enrichment.entities import extract_entities
from enrichment.profile import StanceTarget, TopicProfile, load_profile
from enrichment.relevance import RelevanceScorer, quote_relevance
from enrichment.sentences import split_sentences
from enrichment.summarize import Summarizer, SummaryConfig, build_summarizer
from newswatch.model import Article, Failure, Quote, StanceJudgement

log = logging.getLogger(__name__)

STAGE = "enrich"
MAX_TARGETS_PER_QUOTE = 3
MIN_TARGET_SIMILARITY = 0.2
MIN_SENTENCE_WORDS = 3


class StanceModel(Protocol):
    """What enrichment needs from the stance classifier (``enrichment.stance.StanceClassifier``)."""

    def predict_batch(self, items: Sequence[tuple[str, str, str]]) -> list[StanceJudgement]: ...


Aggregate = Callable[[list[StanceJudgement]], list[StanceJudgement]]


def load_stance_model() -> tuple[StanceModel | None, Aggregate | None]:
    """(classifier, aggregate function), or (None, None) when no trained stance model is installed."""
    try:
        from enrichment.stance import StanceModelUnavailable, aggregate_stance, get_stance_classifier
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


def select_targets(
    similarities: np.ndarray, statement: str, targets: Sequence[StanceTarget], max_targets: int, min_similarity: float
) -> list[int]:
    """Indices of the targets a statement is judged against, most similar first.

    The most similar target (at least ``min_similarity``) always; others as similar only
    when the statement names them by a cue word, or when they have no cues to check.
    """
    ranked = [int(i) for i in np.argsort(-similarities) if similarities[i] >= min_similarity]
    chosen = ranked[:1] + [i for i in ranked[1:] if not targets[i].cues or targets[i].mentioned_in(statement)]
    return chosen[:max_targets]


def statement_sentences(statement: str) -> list[str]:
    """The sentences of a quote worth judging on their own (or the whole quote when none is)."""
    sentences = [s for s in split_sentences(statement) if len(s.split()) >= MIN_SENTENCE_WORDS]
    return sentences or [statement]


@dataclass
class Enricher:
    profile: TopicProfile
    relevance: RelevanceScorer
    summarizer: Summarizer
    stance_model: StanceModel | None = None
    aggregate_stance: Aggregate | None = None
    max_targets_per_quote: int = MAX_TARGETS_PER_QUOTE
    min_target_similarity: float = MIN_TARGET_SIMILARITY

    def enrich(self, article: Article) -> Article:
        """A copy of ``article`` with the enrichment fields filled (other fields untouched)."""
        probability, vector = self.relevance.score_article(article.title, article.text)
        summary = self.summarizer.summarize(article.text) if article.text.strip() else None
        entities = extract_entities(article.text, article.title, self.profile.known_organization_keys)
        quotes, article_stance = self._judge_quotes(article.quotes, probability)
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

    def _judge_quotes(self, quotes: list[Quote], article_probability: float) -> tuple[list[Quote], list[StanceJudgement]]:
        """Quotes with relevance and per-target stance, and the article's stance aggregated over them."""
        if not quotes:
            return [], []
        statements = [quote_statement(q) for q in quotes]
        vectors = self.relevance.encoder.encode(statements)
        own = self.relevance.score_vectors(vectors)
        scored = []
        for quote, own_probability in zip(quotes, own):
            probability = quote_relevance(float(own_probability), article_probability)
            scored.append(quote.model_copy(update={"relevance": round(probability, 4), "is_relevant": self.relevance.is_relevant(probability), "stance": []}))
        if self.stance_model is None or self.aggregate_stance is None:
            return scored, []

        target_similarity = vectors @ self.relevance.prototypes.targets.T
        targets = self.profile.targets
        requests: list[tuple[int, tuple[str, str, str]]] = []
        for index, quote in enumerate(scored):
            if not quote.is_relevant:
                continue
            chosen = select_targets(target_similarity[index], statements[index], targets, self.max_targets_per_quote, self.min_target_similarity)
            if not chosen:
                continue
            for sentence in statement_sentences(statements[index]):
                requests += [(index, (sentence, targets[t].claim, targets[t].id)) for t in chosen]
        if not requests:
            return scored, []
        # Similar lengths side by side: the classifier pads each batch to its longest text.
        requests.sort(key=lambda request: len(request[1][0]))
        sentence_judgements = self.stance_model.predict_batch([item for _, item in requests])
        per_quote: dict[int, list[StanceJudgement]] = {}
        for (index, _), judgement in zip(requests, sentence_judgements):
            per_quote.setdefault(index, []).append(judgement)
        quote_judgements: list[StanceJudgement] = []
        for index, found in sorted(per_quote.items()):
            by_target = {j.target_id: j for j in self.aggregate_stance(found)}
            ordered = [by_target[t.id] for t in targets if t.id in by_target]
            scored[index] = scored[index].model_copy(update={"stance": ordered})
            quote_judgements += ordered
        return scored, list(self.aggregate_stance(quote_judgements))


def build_enricher(
    profile: TopicProfile | None = None,
    *,
    encoder=None,
    summary_config: SummaryConfig | None = None,
    stance: bool = True,
) -> Enricher:
    from enrichment.model_service import get_encoder

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


def enrich_articles(articles: Iterable[Article], enricher: Enricher | None = None, run_id: str | None = None) -> tuple[list[Article], list[Failure]]:
    """Enrich a batch; an article that fails becomes a Failure record and the batch goes on."""
    enricher = enricher or get_enricher()
    enriched: list[Article] = []
    failures: list[Failure] = []
    for article in articles:
        try:
            enriched.append(enricher.enrich(article))
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            log.exception("enrichment failed for %s", article.url)
            failures.append(Failure(stage=STAGE, error_type=type(exc).__name__, error=str(exc), item_id=article.id, url=article.url, source_id=article.source_id, run_id=run_id))
    return enriched, failures


__all__ = ["Enricher", "build_enricher", "enrich_article", "enrich_articles", "get_enricher"]
