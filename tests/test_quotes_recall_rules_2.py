"""Recall rules for real news, second set: subjects behind a relative aside, short words in a reported clause,
nested quotations closed with a space, coordinated reports, contrast clauses and characterised phrases."""
from __future__ import annotations

from newswatch.quotes.extraction import extract_quotes


def _only(text: str, kind: str | None = None):
    quotes = [q for q in extract_quotes(text) if kind is None or q.kind == kind]
    assert len(quotes) == 1, [(q.kind, q.text) for q in quotes]
    return quotes[0]


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
