"""Recall rules for real news: outer reports over nested cues, that-clauses of any verb, characterisations the
parse misses, subjects the parse loses, tags after the reported clause, where a mixed quote ends, subjects behind
a relative aside, nested quotations closed with a space, coordinated reports and characterised phrases."""
from __future__ import annotations

from spacy.tokens import Doc

from newswatch.quotes.extraction import extract_quotes
from newswatch.quotes.nlp import get_nlp


def _only(text: str, kind: str | None = None, nlp=None):
    quotes = [q for q in extract_quotes(text, nlp=nlp) if kind is None or q.kind == kind]
    assert len(quotes) == 1, [(q.kind, q.text) for q in quotes]
    return quotes[0]


def _parsed(rows: list[tuple[str, str, str, str, str, int, bool]]) -> Doc:
    """A hand-written parse (word, lemma, pos, tag, dep, head, space after) standing in for a wrong model parse."""
    words, lemmas, pos, tags, deps, heads, spaces = (list(column) for column in zip(*rows))
    return Doc(get_nlp().vocab, words=words, lemmas=lemmas, pos=pos, tags=tags, deps=deps, heads=heads, spaces=spaces)


def test_a_cue_nested_in_a_reported_clause_gives_the_quote_to_the_outer_report():
    quote = _only("Grant said he would sit the minister down and tell him “no more delays on the harbour project.”")
    assert quote.kind == "mixed" and quote.source_mention.text == "Grant" and quote.cue.text == "said"
    assert quote.contents[0].text.startswith("he would sit the minister down and tell him")


def test_a_cue_without_a_speaker_of_its_own_passes_the_quote_to_the_verb_above_it():
    quote = _only("Lena Marsh said Dario Costa was right to urge young voters “to register early and show up.”")
    assert quote.source_mention.text == "Lena Marsh" and quote.contents[0].text.startswith("Dario Costa was right")


def test_quoted_words_in_a_that_clause_are_the_subjects_whatever_the_verb():
    quote = _only("The mayor worried that the new budget was “a house of cards built on hope.”")
    assert quote.kind == "mixed" and quote.source_mention.text == "The mayor"
    assert quote.contents[0].text.startswith("that the new budget was")


def test_one_person_named_by_a_common_noun_owns_a_short_characterisation():
    quote = _only("A reporter for the local radio station called it “total gridlock.”")
    assert quote.source_mention.text == "A reporter for the local radio station" and quote.contents[0].text == "it “total gridlock.”"
    assert extract_quotes("Critics called the proposal “reckless.”") == []


def test_a_characterisation_is_read_from_the_surface_when_the_parse_hangs_it_elsewhere():
    quote = _only("Okafor, a Lisbon painter, called Wavelane’s terms “unfair.”")
    assert quote.kind == "mixed" and quote.speaker == "Okafor" and quote.contents[0].text == "Wavelane’s terms “unfair.”"


def test_a_name_given_by_no_one_is_no_characterisation():
    assert extract_quotes("The firm belongs to a group called the “Open Studio Network.”") == []


def test_a_verb_whose_subject_the_parse_hung_on_an_earlier_phrase_takes_the_noun_before_it():
    # The model sometimes reads "the director" as an apposition to the name before the comma, leaving
    # "stated" without a subject; this parse reproduces that.
    doc = _parsed([
        ("With", "with", "ADP", "IN", "prep", 6, True),
        ("Ana", "Ana", "PROPN", "NNP", "compound", 2, True),
        ("Cruz", "Cruz", "PROPN", "NNP", "pobj", 0, False),
        (",", ",", "PUNCT", ",", "punct", 2, True),
        ("the", "the", "DET", "DT", "det", 5, True),
        ("director", "director", "NOUN", "NN", "appos", 2, True),
        ("stated", "state", "VERB", "VBD", "ROOT", 6, True),
        ("that", "that", "SCONJ", "IN", "mark", 10, True),
        ("the", "the", "DET", "DT", "det", 9, True),
        ("loan", "loan", "NOUN", "NN", "nsubj", 10, True),
        ("was", "be", "AUX", "VBD", "ccomp", 6, True),
        ("“", "“", "PUNCT", "``", "punct", 10, False),
        ("not", "not", "PART", "RB", "neg", 10, True),
        ("negotiable", "negotiable", "ADJ", "JJ", "acomp", 10, False),
        (".", ".", "PUNCT", ".", "punct", 6, False),
        ("”", "”", "PUNCT", "''", "punct", 6, False),
    ])
    quote = _only(doc.text, nlp=lambda _text: doc)
    assert quote.source_mention.text == "the director" and quote.contents[0].text == "that the loan was “not negotiable.”"


def test_the_one_told_is_not_part_of_what_was_said():
    # A parse that hangs the that-clause on the listeners instead of on "told".
    doc = _parsed([
        ("Rossi", "Rossi", "PROPN", "NNP", "nsubj", 1, True),
        ("told", "tell", "VERB", "VBD", "ROOT", 1, True),
        ("diners", "diner", "NOUN", "NNS", "dobj", 1, True),
        ("that", "that", "SCONJ", "IN", "mark", 7, True),
        ("“", "“", "PUNCT", "``", "punct", 7, False),
        ("the", "the", "DET", "DT", "det", 6, True),
        ("town", "town", "NOUN", "NN", "nsubj", 7, True),
        ("deserves", "deserve", "VERB", "VBZ", "acl", 2, True),
        ("better", "well", "ADV", "RBR", "advmod", 7, False),
        (".", ".", "PUNCT", ".", "punct", 1, False),
        ("”", "”", "PUNCT", "''", "punct", 1, False),
    ])
    quote = _only(doc.text, nlp=lambda _text: doc)
    assert quote.source_mention.text == "Rossi" and quote.contents[0].text == "that “the town deserves better.”"


def test_a_tag_after_the_reported_clause_takes_the_words_after_the_quotation_too():
    quote = _only("“We planted and watered” every tree along the river before the storm arrived, she said.")
    assert quote.kind == "mixed" and quote.source_mention.text == "she"
    assert quote.contents[0].text == "“We planted and watered” every tree along the river before the storm arrived"
    quote = _only("“Rain on the weekend” would be welcome, farmer Tom Reyes said after the drought.")
    assert quote.source_mention.text == "farmer Tom Reyes" and quote.contents[0].text == "“Rain on the weekend” would be welcome"


def test_a_quoted_sentence_that_goes_on_after_its_tag_keeps_the_rest():
    quote = _only("“Only you, Nora,” she said, would turn a parking fine into a fundraiser.")
    assert quote.kind == "mixed" and [c.text for c in quote.contents] == ["“Only you, Nora,”", "would turn a parking fine into a fundraiser"]


def test_a_mixed_quote_runs_past_hyphenated_words_and_a_coordinated_predicate_of_its_clause():
    quote = _only("The principal said the cuts leave “far too many children” in over-crowded classrooms this year.")
    assert quote.contents[0].text.endswith("in over-crowded classrooms this year")
    quote = _only("Ortiz said that the polls were “simply wrong” and missed the late swing to the challenger.")
    assert quote.contents[0].text.endswith("and missed the late swing to the challenger")


def test_a_mixed_quote_ends_before_the_writers_apposition():
    quote = _only("Kessler said the budget would cut “essential services” for seniors, a claim the treasurer disputed.")
    assert quote.contents[0].text == "the budget would cut “essential services” for seniors"


def test_a_subject_before_a_relative_aside_and_an_adverb_speaks():
    # The parse hangs "Okafor" on the relative clause's verb and leaves "said" without a subject.
    quote = _only('Okafor, meanwhile, who chairs the artists\' union, said that the new licence terms were "a trap for young musicians."')
    assert quote.kind == "mixed" and quote.source_mention.text == "Okafor"
    assert quote.contents[0].text.startswith("that the new licence terms were")


def test_a_short_quoted_word_in_a_clause_a_speech_verb_reports_is_the_speakers():
    quote = _only('The audit concluded that the label\'s accounts were "sloppy" for most of the decade.')
    assert quote.kind == "mixed" and quote.source_mention.text == "The audit"
    assert quote.contents[0].text == 'that the label\'s accounts were "sloppy" for most of the decade'


def test_a_nested_quotation_closed_with_a_space_still_closes_the_outer_one():
    quote = _only('"We asked them to stop, and they said, \'We\'ll see,\' " Okafor said at the hearing. "That is not an answer."')
    assert quote.kind == "direct" and quote.source_mention.text == "Okafor"
    assert [c.text for c in quote.contents] == ['"We asked them to stop, and they said, \'We\'ll see,\' "', '"That is not an answer."']


def test_a_second_report_coordinated_with_the_first_keeps_only_its_own_clause():
    quotes = extract_quotes(
        "Okafor said her members have lost income this year and said that the streaming deal was "
        '"a slow leak of every royalty we earn."'
    )
    mixed = [q for q in quotes if q.kind == "mixed"]
    assert len(mixed) == 1 and mixed[0].source_mention.text == "Okafor"
    assert mixed[0].contents[0].text == 'that the streaming deal was "a slow leak of every royalty we earn."'


def test_a_report_after_while_with_its_own_subject_keeps_its_own_speaker():
    quote = _only(
        "Lindqvist argued that anyone who skips rehearsals can't lead the band, while Okafor said that the "
        '"stakes are far too high" for the band to sign.'
    )
    assert quote.source_mention.text == "Okafor"
    assert quote.contents[0].text == 'that the "stakes are far too high" for the band to sign'


def test_a_contrast_clause_after_the_quotation_is_the_writers():
    quote = _only('The mayor said the budget was "a house of cards," though council members praised the new transit plan.')
    assert quote.contents[0].text == 'the budget was "a house of cards,"'
    # "while" with a participle goes on with the report.
    quote = _only('The drummer said he had been "treated like a criminal" while touring with the band.')
    assert quote.contents[0].text == 'he had been "treated like a criminal" while touring with the band'


def test_a_characterised_phrase_runs_to_the_end_of_the_phrase_holding_the_quotation():
    quote = _only('The union called the ruling "a clear win" for session musicians across the country.')
    assert quote.kind == "mixed" and quote.source_mention.text == "The union"
    assert quote.contents[0].text == 'the ruling "a clear win" for session musicians across the country'


def test_words_describing_the_speaker_after_a_closing_tag_are_not_what_was_said():
    quote = _only("“We are delighted” with the ruling, said Maya Okafor, director of the Fair Play Alliance, a union of session players.")
    assert quote.source_mention.text == "Maya Okafor" and [c.text for c in quote.contents] == ["“We are delighted” with the ruling"]
    quote = _only("“The vote was decided before we arrived,” said delegate Lena Marsh, angered that party leaders ignored the motion.")
    assert quote.kind == "direct" and [c.text for c in quote.contents] == ["“The vote was decided before we arrived,”"]


def test_a_quotation_after_adding_is_its_own_quote_not_the_end_of_the_parenthetical_report():
    quotes = extract_quotes('Okafor left as soon as the vote was over, Marsh said, adding, "She was not very happy."')
    direct = [q for q in quotes if q.kind == "direct"]
    assert len(direct) == 1 and direct[0].source_mention.text == "Marsh"
    assert [c.text for c in direct[0].contents] == ['"She was not very happy."']
    assert not [q for q in quotes if q.kind == "mixed"]
