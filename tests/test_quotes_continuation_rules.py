"""Rules from the sixth PolNeAR round: untagged quotations that go on a tagged quote in its paragraph,
tags that open with their verb, quoted sentences after any verb of one person's, and quotations in
the predicate of a named speaker's verb of any kind."""
from __future__ import annotations

from newswatch.quotes.extraction import extract_quotes


def _direct_or_mixed(text: str):
    return [q for q in extract_quotes(text, language="en") if q.kind in ("direct", "mixed")]


def test_an_untagged_quotation_after_a_mixed_quote_tagged_after_it_is_its_next_fragment():
    text = "The levy is “a tax on every working musician,” Okafor said. “Nobody asked the people who actually write the songs.”"
    (quote,) = _direct_or_mixed(text)
    assert quote.kind == "mixed" and quote.speaker == "Okafor"
    assert [s.text[:8] for s in quote.contents] == ["The levy", "“Nobody "]


def test_a_mixed_clause_starting_inside_a_sentence_keeps_the_next_quotation_apart():
    # The parse cuts the sentence at "13th": the mixed quote tagged by "she said" starts mid-sentence,
    # a second report inside Vance's, not a sentence the next quotation could go on.
    text = ("Vance said she felt the 13th Amendment was worth a film because “most players don’t know about that clause,” "
            "she said. “We have no context for any of it.”")
    quotes = _direct_or_mixed(text)
    assert len(quotes) == 2 and all(len(q.contents) == 1 for q in quotes)


def test_an_aside_finishing_the_tag_sentence_does_not_cut_off_the_next_fragment():
    text = "“We will not sign this contract,” Clark said, noting that the union had voted twice. “The offer ignores session players.”"
    (quote,) = _direct_or_mixed(text)
    assert quote.speaker == "Clark" and len(quote.contents) == 2
    assert quote.contents[1].text == "“The offer ignores session players.”"


def test_a_tag_opening_with_its_verb_needs_no_comma_before_the_closing_mark():
    (quote,) = _direct_or_mixed("“We will see them in court” said Nina Brandt, the guild’s counsel.")
    assert quote.kind == "direct" and quote.speaker == "Nina Brandt" and quote.cue.text == "said"


def test_a_quoted_sentence_after_a_comma_is_tagged_by_any_verb_of_one_named_person():
    (quote,) = _direct_or_mixed("Asked about the ruling, Brandt shot back, “Nobody in this room believes that.”")
    assert quote.kind == "direct" and quote.speaker == "Brandt" and quote.cue.text == "shot"


def test_a_quoted_sentence_after_a_groups_verb_is_not_given_to_the_group():
    quotes = _direct_or_mixed("Critics fired back, “Nobody in this room believes that.”")
    assert all(q.source_mention is None or q.source_mention.text != "Critics" for q in quotes)


def test_a_quotation_in_the_predicate_of_any_verb_of_a_named_speaker_is_a_mixed_quote():
    (quote,) = _direct_or_mixed("Mara Lindqvist heralded the settlement as “a turning point for every session player” in the industry.")
    assert quote.kind == "mixed" and quote.speaker == "Mara Lindqvist" and quote.cue.text == "heralded"
    assert quote.contents[0].text.startswith("the settlement as “a turning point")


def test_a_participles_subject_speaks_the_quotation_in_its_predicate():
    (quote,) = _direct_or_mixed("Okafor left the hearing early, framing the fee as “a small price for fair pay” on her way out.")
    assert quote.kind == "mixed" and quote.speaker == "Okafor" and quote.cue.text == "framing"
    assert quote.contents[0].text.startswith("the fee as")


def test_catchwords_and_group_names_in_a_predicate_are_no_quotes():
    assert _direct_or_mixed("Lindqvist pushed her promise of “free licensing” at the hearing.") == []
    assert _direct_or_mixed("Critics nicknamed the proposal the “scrape now, pay later” law.") == []


def test_one_person_and_any_verb_right_after_a_quotation_are_its_tag():
    (quote,) = _direct_or_mixed("“That deal is dead and everyone knows it,” Okafor bristled.")
    assert quote.speaker == "Okafor" and quote.cue.text == "bristled"


def test_a_group_and_a_verb_after_a_quotation_are_no_tag():
    (quote,) = _direct_or_mixed("“We have heard all of this before,” critics groaned.")
    assert quote.source_mention is None


def test_a_quotation_after_a_reported_sentence_tagged_after_it_makes_one_mixed_quote():
    text = "Also, the new contract is a step backwards for session players, Okafor said. “Nobody asked the people who actually write the songs.”"
    (quote,) = extract_quotes(text, language="en")
    assert quote.kind == "mixed" and quote.speaker == "Okafor" and len(quote.contents) == 2
    assert quote.contents[1].text.startswith("“Nobody asked")


def test_an_abbreviated_title_in_a_tag_does_not_end_its_sentence():
    text = ("“I fundamentally disagree with the label,” said retired Army Lt. Gen. Ada Brennan, who served as an adviser. "
            "“The contract ignores the players.”")
    (quote,) = _direct_or_mixed(text)
    assert "Ada Brennan" in quote.source_mention.text and quote.cue.text == "said" and len(quote.contents) == 2


def test_a_second_object_parsed_as_a_conjunct_of_the_verb_stays_in_the_mixed_quote():
    (quote,) = _direct_or_mixed("Cruz questioned Brill’s “Nashville values” and her readiness to lead the guild.")
    assert quote.kind == "mixed" and quote.contents[0].text == "Brill’s “Nashville values” and her readiness to lead the guild"


def test_the_reason_given_right_after_a_quoted_phrase_belongs_to_the_mixed_quote():
    (quote,) = _direct_or_mixed("The guild called the report a “rush to judgment,” because delegates can still change their minds before the vote.")
    assert quote.kind == "mixed" and quote.contents[0].text.endswith("because delegates can still change their minds before the vote")


def test_a_speech_verb_right_before_a_quoted_utterance_tags_it_whatever_the_parse():
    text = "The hall booed, and when Brill waved and said it was great to be home, a man yelled “Stay there!”"
    (quote,) = _direct_or_mixed(text)
    assert quote.source_mention.text == "a man" and quote.cue.text == "yelled" and quote.contents[0].text == "“Stay there!”"
