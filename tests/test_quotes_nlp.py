"""The quote pipeline's cheaper spaCy stages give what the model's own stages give where it matters."""
from __future__ import annotations

import spacy

from newswatch.quotes.nlp import attribution_segments, get_nlp

ARTICLE = (
    "Maya Okafor of the Fair Play for Creators Alliance said the rules were late. "
    "The hearing in Lisbon lasted until Friday.\n\n"
    "“Acme Corp and Bob Jones gonna fix nothing,” said Dan Reyes, y'all. There are many who agree, "
    "and it's what Ms. Lee wrote on Monday."
)


def test_the_quick_attribute_rules_give_the_models_parts_of_speech_morphology_and_lemmas():
    nlp = get_nlp()
    assert "attribute_ruler" not in nlp.pipe_names
    reference = spacy.load(nlp.meta["lang"] + "_" + nlp.meta["name"], disable=["ner"])
    ours = nlp(ARTICLE)
    theirs = reference(ARTICLE)
    assert [(t.pos_, str(t.morph), t.lemma_) for t in ours] == [(t.pos_, str(t.morph), t.lemma_) for t in theirs]
    assert {t.lemma_ for t in ours if t.lower_ in ("gon", "na")} == {"go", "to"}  # a two-token rule applied


def test_entities_are_labelled_in_attribution_sentences_outside_the_quoted_words_only():
    doc = get_nlp()(ARTICLE)
    entities = {e.text: e.label_ for e in doc.ents}
    assert entities.get("Maya Okafor") == "PERSON"
    assert entities.get("Dan Reyes") == "PERSON"
    assert "Acme Corp" not in entities and "Bob Jones" not in entities  # inside a quotation
    assert "Lisbon" not in entities and "Friday" not in entities  # a sentence no one says anything in
    covered = {t.i for start, end in attribution_segments(doc) for t in doc[start:end]}
    assert all(t.i in covered for e in doc.ents for t in e)
