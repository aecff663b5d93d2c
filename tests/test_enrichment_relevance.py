"""Relevance: the labelled set, the shipped head on clear cases, quote blending and the generic fallback."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from newswatch.enrichment.profile import load_profile, parse_profile
from newswatch.enrichment.relevance import RelevanceScorer, quote_relevance
from newswatch_lab.relevance_data import DEFAULT_DATASET, load_labelled


@pytest.fixture(scope="module")
def scorer():
    from newswatch.enrichment.model_service import get_encoder

    return RelevanceScorer(load_profile(), get_encoder())


def test_labelled_set_has_enough_of_both_classes_and_unique_ids():
    items = load_labelled(DEFAULT_DATASET)
    counts = Counter(item.relevant for item in items)
    assert counts[True] >= 100 and counts[False] >= 100
    assert len({item.id for item in items}) == len(items)
    off_topic_groups = {item.group for item in items if not item.relevant}
    assert {"ai-other", "music-other"} <= off_topic_groups


def test_labelled_set_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "label": "relevant", "text": "ok"}) + "\n" + json.dumps({"id": "y", "label": "maybe", "text": "?"}) + "\n")
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        load_labelled(path)


def test_clear_cases_on_both_sides(scorer):
    on_topic, _ = scorer.score_article(
        "Painters sue AI image company",
        "A group of painters says an AI company trained its image generator on their work without permission or payment. They want damages and a licensing scheme.",
    )
    music_only, _ = scorer.score_article("Band announces summer stadium tour", "The band will play twelve stadiums across Europe this summer, with tickets on sale Friday.")
    ai_only, _ = scorer.score_article("New AI chip doubles inference speed", "The chipmaker says its new accelerator runs large language models twice as fast in data centres.")
    assert on_topic > 0.8 and scorer.is_relevant(on_topic)
    assert music_only < 0.2 and ai_only < 0.2
    quotes = scorer.score_texts(['"Using my voice in an AI clone without asking me is theft."', '"The stadium was sold out in ten minutes."'])
    assert quotes[0] > 0.5 > quotes[1]


def test_article_vector_is_a_normalised_384_d_embedding(scorer):
    _, vector = scorer.score_article("Title", "One sentence about AI and artists. Another one about licensing.")
    assert vector.shape == (384,)
    assert abs(float((vector**2).sum()) - 1.0) < 1e-4
    assert scorer.score_article(None, "") == (0.0, pytest.approx([]))


def test_quote_relevance_leans_on_the_article():
    assert quote_relevance(0.15, 0.99) > 0.5  # terse on-topic remark in an on-topic article
    assert quote_relevance(0.001, 0.99) < 0.2  # off-topic aside stays off-topic
    assert quote_relevance(0.9, 0.01) < 0.5  # on-topic-sounding line in an off-topic article
    assert quote_relevance(0.5, 0.5) == pytest.approx(0.5)
    assert quote_relevance(0.4, None) == 0.4


def test_profile_without_its_own_head_uses_the_similarity_only_model():
    from newswatch.enrichment.model_service import get_encoder

    other = parse_profile(
        "id: football_transfers\nversion: 1\nname: Football transfers\ndescription: Transfers of football players between clubs, fees and contracts.\n"
        "keywords: [transfer fee, signing, loan deal]\ntargets:\n  - id: fees\n    claim: Transfer fees are too high.\n"
    )
    scorer = RelevanceScorer(other, get_encoder())
    assert not scorer.uses_full_model
    transfers = scorer.score_texts(["The club agreed a 40 million euro transfer fee for the striker, who signs a five-year contract."])
    unrelated = scorer.score_texts(["The bakery's new sourdough recipe uses rye flour and a long fermentation."])
    assert transfers[0] > unrelated[0]
