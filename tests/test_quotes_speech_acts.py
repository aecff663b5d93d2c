"""Speech acts: a reported demand or question is typed so, never stored as the demander's claim."""
from __future__ import annotations

import json

import pytest

from newswatch.core.model import Quote
from newswatch.core.settings import REPO_ROOT
from newswatch.quotes.extraction import extract_quotes
from newswatch.quotes.nlp import get_nlp
from newswatch.quotes.speech_acts import classify


@pytest.mark.parametrize(
    ("text", "speaker", "act"),
    [
        ("“We will appeal the ruling,” said Noor Haddad.", "Noor Haddad", "claim"),
        ("“Who pays the artists when the model sells?” asked Maya Okafor.", "Maya Okafor", "question"),
        ("Maya Okafor called on regulators to “stop the scraping now.”", "Maya Okafor", "demand"),
        ("Wavelane denied that it had used “any private uploads” for training.", "Wavelane", "denial"),
    ],
)
def test_each_quote_carries_its_speech_act(text, speaker, act):
    (quote,) = extract_quotes(text, language="en")
    assert (quote.speaker, quote.speech_act) == (speaker, act)


def test_a_reported_demand_is_the_demanders_demand_not_anyones_claim():
    text = "The Fair Play for Creators Alliance demanded that Wavelane confirm “no artist’s uploads have been used.”"
    (quote,) = extract_quotes(text, language="en")
    assert quote.speaker == "Fair Play for Creators Alliance"
    assert quote.speech_act == "demand"
    assert "no artist’s uploads have been used" in quote.text


@pytest.mark.parametrize(
    ("sentence", "cue_word", "quoted", "act"),
    [
        ("She said it was over.", "said", "it was over.", "claim"),
        ("She did not say it was over.", "say", "it was over.", "denial"),
        ("He urged them to leave.", "urged", "leave.", "demand"),
        ("He asked them to leave.", "asked", "leave.", "demand"),
        ("He asked why.", "asked", "why.", "question"),
        ("He said, is it over?", "said", "is it over?", "question"),
    ],
)
def test_classify_reads_the_cue_verb_and_the_quoted_words(sentence, cue_word, quoted, act):
    doc = get_nlp()(sentence)
    cue = next(t for t in doc if t.text == cue_word)
    assert classify(cue, quoted) == act
    assert classify(None, quoted) == ("question" if quoted.endswith("?") else "claim")


def test_speech_act_is_in_the_model_and_the_quote_index_mapping():
    mapping = json.loads((REPO_ROOT / "index_mappings" / "quotes.json").read_text(encoding="utf-8"))
    assert mapping["mappings"]["properties"]["speech_act"] == {"type": "keyword"}
    assert Quote(position=0, kind="direct", text="x").speech_act == "claim"
