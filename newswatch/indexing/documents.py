"""Article and quote models turned into the documents ``index_mappings/`` describes, and back."""
from __future__ import annotations

from newswatch.core.model import Article, Quote, StanceJudgement, utcnow


def _stance_fields(judgements: list[StanceJudgement]) -> dict:
    return {
        "stance": [j.model_dump(mode="json") for j in judgements],
        "stance_labels": [f"{j.target_id}:{j.label}" for j in judgements],
    }


def article_document(article: Article) -> dict:
    timestamp = article.published_at or article.fetched_at
    doc = article.model_dump(mode="json", exclude={"quotes", "stance", "embedding"})
    doc.update(_stance_fields(article.stance))
    doc["@timestamp"] = timestamp.isoformat()
    doc["indexed_at"] = utcnow().isoformat()
    doc["quote_count"] = len(article.quotes)
    doc["speakers"] = sorted({q.speaker for q in article.quotes if q.speaker})
    if article.embedding is not None:
        doc["embedding"] = article.embedding
    return doc


def quote_document(article: Article, quote: Quote) -> dict:
    timestamp = article.published_at or article.fetched_at
    start = quote.contents[0].start if quote.contents else None
    end = quote.contents[-1].end if quote.contents else None
    return {
        "@timestamp": timestamp.isoformat(),
        "article_id": article.id,
        "article_url": article.canonical_url,
        "article_title": article.title,
        "source_id": article.source_id,
        "source_name": article.source_name,
        "cluster_id": article.cluster_id,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "indexed_at": utcnow().isoformat(),
        "position": quote.position,
        "kind": quote.kind,
        "speech_act": quote.speech_act,
        "text": quote.text,
        "speaker": quote.speaker,
        "speaker_type": quote.speaker_type,
        "organization": quote.organization,
        "role": quote.role,
        "cue": quote.cue.text if quote.cue else None,
        "start": start,
        "end": end,
        "relevance": quote.relevance,
        "is_relevant": quote.is_relevant,
        **_stance_fields(quote.stance),
    }


def stored_article(doc: dict) -> Article:
    """An indexed article document as the model, ready to be analysed again (quotes and stance are recomputed)."""
    return Article.model_validate({k: v for k, v in doc.items() if k in Article.model_fields and k not in ("stance", "quotes")})
