"""Quote extraction: speakers on a realistic passage, hard cases, and bad input per item."""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.commands.quotes import extract_item, process_lines
from newswatch.core.model import Article
from newswatch.quotes.extraction import (
    MAX_TEXT_CHARS,
    TextTooLong,
    UnsupportedLanguage,
    add_quotes,
    extract_quotes,
)
from newswatch.quotes.marks import find_quoted_spans, split_paragraphs

PLATFORM_AND_ADVOCATE = (
    "Melodex, the music-generation startup, said on Tuesday that it would start paying a share of its revenue "
    "to songwriters whose work was used to train its models.\n\n"
    "“We think this is the fairest way to share what these tools earn,” a representative for Melodex said in a statement. "
    "The company did not say how large the share would be.\n\n"
    "Corinne Abara, who founded the campaign group Songwriters for Consent, said the plan came too late. "
    "“They built the product first and asked permission afterwards,” Abara said. “Now they want credit for sharing the leftovers.”\n\n"
    "She added that her group would keep pushing for an opt-in licence."
)


def _by_text(quotes, fragment):
    return next(q for q in quotes if fragment in q.text)


def test_platform_statement_and_advocate_reaction_have_the_right_speakers():
    quotes = extract_quotes(PLATFORM_AND_ADVOCATE)
    statement = _by_text(quotes, "fairest way")
    assert statement.kind == "direct"
    assert (statement.speaker, statement.speaker_type, statement.role) == ("Melodex", "organization", "representative")
    assert statement.source_mention.text == "a representative for Melodex"
    assert statement.cue.text == "said"

    reaction = _by_text(quotes, "built the product first")
    assert reaction.speaker == "Corinne Abara" and reaction.speaker_type == "person"
    assert len(reaction.contents) == 2  # split by the tag: one quote, two fragments
    assert "leftovers" in reaction.text and "“" not in reaction.text

    announcement = _by_text(quotes, "start paying a share")
    assert announcement.kind == "indirect" and announcement.speaker == "Melodex"
    late = _by_text(quotes, "plan came too late")
    assert late.kind == "indirect" and late.speaker == "Corinne Abara"
    opt_in = _by_text(quotes, "keep pushing")
    assert opt_in.kind == "indirect" and opt_in.source_mention.text == "She" and opt_in.speaker == "Corinne Abara"

    assert [q.position for q in quotes] == list(range(len(quotes)))
    for quote in quotes:
        for span in quote.contents + [quote.source_mention, quote.cue]:
            assert PLATFORM_AND_ADVOCATE[span.start : span.end] == span.text


def test_surname_alias_and_pronoun_resolve_to_the_full_name():
    text = ("Ed Marlowe-Cross, a composer, has sued the platform. “Nobody asked me,” Marlowe-Cross said.\n\n"
            "“I found out from a fan,” he told reporters.")
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Ed Marlowe-Cross", "Ed Marlowe-Cross"]


def test_multi_paragraph_quote_is_one_quote_with_a_fragment_per_paragraph():
    text = ("Ada Brill spoke for twenty minutes.\n\n“The first thing we lost was the session work.\n\n"
            "“The second was the licensing income,” Brill said.")
    (quote,) = extract_quotes(text)
    assert len(quote.contents) == 2 and quote.speaker == "Ada Brill"


def test_scare_quotes_and_titles_are_not_quotes():
    text = ("The firm calls its dataset “ethically sourced.” Its new album, “Songs From the Engine,” "
            "came out on Friday under the so-called “fair use” banner.")
    assert extract_quotes(text) == []


def test_untagged_quote_with_no_speaker_is_kept_unattributed():
    text = "“Nobody should have to find their own voice in an advert.”\n\nThe phrase has become a slogan for session singers."
    (quote,) = extract_quotes(text)
    assert quote.speaker is None and quote.source_mention is None and quote.speaker_type == "unknown"


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_gives_no_quotes(text):
    assert extract_quotes(text) == []
    assert extract_item({"id": "e", "text": text}) == {"id": "e", "quotes": []}


def test_unbalanced_marks_are_dropped_not_extended_to_the_end():
    text = "The draft mentions “fair pay only once. Later, “We will appeal,” said Noor Haddad."
    spans = find_quoted_spans(text, split_paragraphs(text))
    assert [text[s.start : s.end] for s in spans] == ["“We will appeal,”"]
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes if q.kind == "direct"] == ["Noor Haddad"]


def test_too_long_and_non_english_text_raise_clear_errors():
    with pytest.raises(TextTooLong):
        extract_quotes("a" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(UnsupportedLanguage):
        extract_quotes("Die Sängerin sagte, dass das Unternehmen ihre Stimme ohne Erlaubnis für das Training benutzt habe.")


def test_bad_items_are_reported_per_line_and_never_stop_the_batch():
    megabyte = "Lorem ipsum dolor. " * (1_048_576 // 19 + 1)
    lines = [
        json.dumps({"id": "ok", "text": "“We will fight this,” said Mara Okafor."}),
        "{not json",
        json.dumps({"id": "big", "text": megabyte}),
        json.dumps({"id": "de", "text": "Der Künstler sagte: „Wir klagen, denn die Firma hat unsere Werke ohne Erlaubnis benutzt.“"}),
        json.dumps({"id": "notext"}),
        json.dumps({"id": "unbalanced", "text": "He said “this never closes and goes on"}),
        json.dumps({"id": "last", "text": "“Pay us,” said Ines Sol."}),
    ]
    out = io.StringIO()
    items, errors = process_lines(io.StringIO("\n".join(lines) + "\n"), out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert items == len(lines) == len(results)
    by_id = {r["id"]: r for r in results if r["id"] is not None}
    assert by_id["ok"]["quotes"][0]["speaker"] == "Mara Okafor"
    assert results[1]["error"]["type"] == "InvalidJSON"
    assert by_id["big"]["error"]["type"] == "TextTooLong"
    assert by_id["de"]["error"]["type"] == "UnsupportedLanguage"
    assert by_id["notext"]["error"]["type"] == "InvalidItem"
    assert "error" not in by_id["unbalanced"]
    assert by_id["last"]["quotes"][0]["speaker"] == "Ines Sol"
    assert errors == 4


def test_cli_format_matches_the_issue():
    result = extract_item({"id": 7, "text": "“Consent comes first,” said Rhea Tamm, a lawyer."})
    (quote,) = result["quotes"]
    assert set(quote) >= {"type", "contents", "sources", "cue", "speaker", "speaker_type"}
    assert quote["type"] == "direct" and quote["sources"][0]["text"].startswith("Rhea Tamm")
    assert quote["cue"] == {"start": 23, "end": 27, "text": "said"}


_PIECES = ["“", "”", "\"", "‘", "’", "'", ",", ".", ":", "\n\n", "\n", " said ", " she ", " Ana Ruiz ", " the company ",
           " according to ", " that ", " We will ", " Melodex ", "—", " who ", "?", " it said ", " told reporters "]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_arrangement_of_marks_and_tags_gives_valid_spans(pieces):
    text = "".join(pieces)
    for quote in extract_quotes(text, language="en"):
        spans = quote.contents + [s for s in (quote.source_mention, quote.cue) if s is not None]
        assert spans and all(text[s.start : s.end] == s.text for s in spans)
        assert quote.kind in ("direct", "mixed", "indirect")


def test_add_quotes_fills_an_article_and_respects_its_language():
    article = Article(url="https://example.org/a", canonical_url="https://example.org/a", source_id="s", language="en-GB",
                      text="“We want to be asked first,” said Ines Sol, a painter.")
    enriched = add_quotes(article)
    assert [q.speaker for q in enriched.quotes] == ["Ines Sol"] and article.quotes == []
    with pytest.raises(UnsupportedLanguage):
        add_quotes(article.model_copy(update={"language": "fr"}))


@pytest.mark.fault
def test_quotes_cli_keeps_going_past_a_latin1_byte_and_exits_1_when_items_failed():
    """Fault (issue 18, case 8): `quotes` exited 0 with items in error and crashed on a Latin-1 byte."""
    import subprocess
    import sys

    from newswatch.core.settings import REPO_ROOT

    lines = b'{"id": "ok", "text": "\\"We never agreed,\\" said Ana Ruiz."}\n{"id": "latin", "text": "caf\xe9"}\n{"id": "ok2", "text": "Nothing quoted here."}\n'
    result = subprocess.run([sys.executable, "-m", "newswatch.cli", "quotes"], check=False, input=lines, capture_output=True, cwd=REPO_ROOT, timeout=300)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert result.returncode == 1
    assert [r["id"] for r in records] == ["ok", None, "ok2"]
    assert records[1]["error"]["type"] == "InvalidEncoding"
    assert records[0]["quotes"] and "error" not in records[0]


def _contents(quote) -> str:
    return " | ".join(span.text for span in quote.contents)


def test_reported_speech_keeping_a_few_quoted_words_is_a_mixed_quote():
    (quote,) = extract_quotes("The label's lawyer said the start-up was “reckless” with the recordings it copied.")
    assert quote.kind == "mixed" and quote.source_mention.text == "The label's lawyer" and quote.role == "label lawyer"
    assert _contents(quote) == "the start-up was “reckless” with the recordings it copied"


def test_what_a_characterising_verb_characterises_belongs_to_the_quote():
    quotes = extract_quotes("Mara Okafor described the new licence terms as “a land grab dressed up as a choice.”")
    assert [(q.kind, _contents(q)) for q in quotes] == [("mixed", "the new licence terms as “a land grab dressed up as a choice.”")]


def test_a_reported_clause_before_its_speech_tag_is_mixed():
    (quote,) = extract_quotes("Artists had “no real way to say no” to the new clause, the union's president said on Monday.")
    assert quote.kind == "mixed" and quote.source_mention.text == "the union's president"
    assert _contents(quote).startswith("Artists had “no real way to say no”")


def test_an_untagged_quotation_right_after_a_tagged_one_in_the_paragraph_is_the_same_statement():
    text = "“We never agreed to this,” said Ines Sol, a session singer. “Nobody asked us, and nobody paid us.”\n\n“It is a fair deal,” the company replied."
    quotes = extract_quotes(text)
    first = quotes[0]
    assert first.speaker == "Ines Sol"
    assert [span.text for span in first.contents] == ["“We never agreed to this,”", "“Nobody asked us, and nobody paid us.”"]
    assert len([q for q in quotes if "Nobody asked us" in q.text]) == 1


def test_an_organisation_is_named_whole_never_by_its_first_word():
    (quote,) = extract_quotes("“We will not accept this,” said Maya Okafor of the Fair Play for Creators Alliance.")
    assert (quote.speaker, quote.organization) == ("Maya Okafor", "Fair Play for Creators Alliance")


def test_one_person_is_one_speaker_whatever_the_apostrophe_or_title():
    text = "“We will appeal,” said Liam O’Dowd, a producer.\n\n“It matters,” said Liam O'Dowd later.\n\n“Consent first,” said Dr. Ana Ruiz."
    assert [q.speaker for q in extract_quotes(text)] == ["Liam O'Dowd", "Liam O'Dowd", "Ana Ruiz"]


def test_a_headline_question_word_is_not_part_of_a_speaker_name():
    text = "What Synthaura says\n\nSynthaura has said training is lawful and that its model does not store copies of songs."
    assert [q.speaker for q in extract_quotes(text)] == ["Synthaura"]


def test_a_person_keeps_the_organisation_the_article_gives_them_under_its_full_name():
    text = (
        "“Consent comes first,” said Maya Okafor of the Fair Play for Creators Alliance.\n\n"
        "“We will keep campaigning,” Okafor said.\n\n"
        "“Nobody asked us,” said Ravi Menon of the Alliance."
    )
    quotes = extract_quotes(text)
    assert [(q.speaker, q.organization) for q in quotes] == [
        ("Maya Okafor", "Fair Play for Creators Alliance"),
        ("Maya Okafor", "Fair Play for Creators Alliance"),
        ("Ravi Menon", "Fair Play for Creators Alliance"),
    ]


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        ("Jeb Bush called him a “loser.”", "him a “loser.”", "Jeb Bush"),
        ("Ted Cruz accused Obama of “leading from behind” on Syria.", "Obama of “leading from behind” on Syria", "Ted Cruz"),
        ("Mr. Cruz pledged to oppose legal status for undocumented immigrants “today, tomorrow, forever.”", "to oppose legal status", "Cruz"),
    ],
)
def test_a_few_quoted_words_in_a_named_speakers_predicate_are_a_mixed_quote(text, content, speaker):
    quotes = extract_quotes(text, language="en")
    assert [(q.kind, q.speaker) for q in quotes] == [("mixed", speaker)]
    assert quotes[0].contents[0].text.startswith(content)


def test_a_catchword_used_by_a_group_is_no_quote():
    quotes = extract_quotes("Several companies lean on “fair use,” while critics call the practice “data laundering.”", language="en")
    assert [q for q in quotes if q.kind in ("direct", "mixed")] == []


def test_a_quote_whose_closing_mark_is_missing_ends_with_its_paragraph():
    text = "“We will appeal,” said Noor Haddad. “The ruling ignores the contract.\n\nThe hearing is set for May."
    spans = find_quoted_spans(text, split_paragraphs(text))
    assert [text[s.start : s.end] for s in spans] == ["“We will appeal,”", "“The ruling ignores the contract."]
    (quote,) = extract_quotes(text, language="en")
    assert quote.speaker == "Noor Haddad" and quote.text.endswith("ignores the contract.")


@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        ("“We will leave,” said Theo Brandvold, a session bassist from Bergen.", None),
        ("Solenne said on Monday that she felt “sick” hearing the track.", None),
        ("“We have heard the evidence,” said Samuel Achterberg, Deputy Director for Policy.", None),
        ("“Pay us,” said Ines Sol, chair of the Illustrators’ Guild.", "Illustrators' Guild"),
    ],
)
def test_places_days_and_job_titles_are_never_organisations(text, organisation):
    (quote,) = extract_quotes(text, language="en")
    assert quote.organization == organisation


def test_a_short_form_takes_the_full_name_from_the_article_or_the_known_organisations():
    text = (
        "The Fair Play for Creators Alliance criticised the change.\n\n"
        "“An opt-out puts the burden on artists,” said Ravi Menon, policy lead at the Alliance."
    )
    assert [q.organization for q in extract_quotes(text, language="en")] == ["Fair Play for Creators Alliance"]
    release = "“Creators need more information,” said Ruth Ellison, the Office's director."
    (quote,) = extract_quotes(release, language="en", known_organisations=("Creative Works Office",))
    assert quote.organization == "Creative Works Office"


def test_two_quoted_fragments_of_one_reported_clause_are_one_quote():
    text = 'Wavelane said "a small fraction of one percent" of active artists had deleted "their uploads" this week.'
    quotes = extract_quotes(text, language="en")
    assert len(quotes) == 1 and quotes[0].kind == "mixed"


def test_a_reported_clause_leading_to_the_quotation_belongs_to_the_quote():
    text = "Greg Abbott told the President that if he wants our guns, “come and take it.”"
    (quote,) = extract_quotes(text, language="en")
    assert (quote.kind, quote.speaker) == ("mixed", "Greg Abbott")
    assert quote.contents[0].text.startswith("that if he wants our guns")


def test_a_quotation_signed_by_a_name_after_a_dash_is_that_persons_even_when_opened_with_a_closing_mark():
    text = (
        "Readers on the new rules.\n\n"
        "”Fear. I am truly afraid the rules will pass.”― Carla Sanchez.\n\n"
        "“Maybe we can build a wall around the rules.” ― Steve Quinlan"
    )
    quotes = extract_quotes(text, language="en")
    assert [(q.kind, q.speaker, q.source_mention.text) for q in quotes] == [
        ("direct", "Carla Sanchez", "Carla Sanchez"),
        ("direct", "Steve Quinlan", "Steve Quinlan"),
    ]
    assert quotes[0].text.startswith("Fear. I am truly afraid")


def test_a_speaker_parsed_as_a_noun_with_a_reduced_relative_still_speaks():
    (quote,) = extract_quotes('One lawmaker called Trump "the orange prince of American self-publicity."', language="en")
    assert quote.kind == "mixed" and quote.source_mention.text == "One lawmaker"


def test_what_a_characterising_verb_names_belongs_to_the_quote_however_it_is_parsed():
    (quote,) = extract_quotes("Kasich called both Trump and Democratic front-runner Hillary Clinton “crazy.”", language="en")
    assert quote.kind == "mixed" and quote.contents[0].text.startswith("both Trump and Democratic front-runner")


def test_a_that_clause_before_a_colon_leads_to_the_quotation_but_a_second_speakers_clause_does_not():
    (quote,) = extract_quotes("In the video, he says that American Muslims have two choices: “You either leave or you fight.”", language="en")
    assert quote.kind == "mixed" and quote.contents[0].text.startswith("that American Muslims")
    text = "Trump said that Cuba would sue the U.S. over the deal, Rubio fired back: “If they sue us in Miami, they will lose.”"
    assert not any(q.contents[0].text.startswith("that Cuba") and "“If they sue" in q.contents[0].text for q in extract_quotes(text, language="en"))


def test_an_inverted_tag_before_the_quotation_names_its_speaker_after_the_verb():
    (quote,) = extract_quotes('The check failed. Said Comey, "The thought that an error on our part is connected is painful to us."', language="en")
    assert quote.source_mention.text == "Comey" and quote.speaker == "Comey"
    (quote,) = extract_quotes("Clinton emphatically proclaimed at a\xa0press conference,\xa0“I did not email any classified material.”", language="en")
    assert quote.speaker == "Clinton"


def test_a_headline_quoting_words_the_body_reports_is_stored_once_from_the_body():
    text = (
        "CNN President On Trump: ‘We Do Not Pay Candidates To Appear At Debates.’\n\n"
        "“We do not pay candidates to appear at debates,” said Jeff Zucker, the network’s president."
    )
    quotes = extract_quotes(text, language="en")
    assert [(q.text, q.speaker) for q in quotes] == [("We do not pay candidates to appear at debates,", "Jeff Zucker")]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Gingrich described NATO member Estonia as being in the “suburbs of St. Petersburg” — a metaphor for the party.", "NATO member Estonia as being in the “suburbs of St. Petersburg”"),
        ('China said it was "resolutely opposed" to the test and warned North Korea to refrain from further actions.', 'it was "resolutely opposed" to the test'),
    ],
)
def test_a_mixed_quote_ends_where_the_writers_aside_or_a_second_predicate_begins(text, content):
    (quote,) = extract_quotes(text, language="en")
    assert quote.kind == "mixed" and quote.contents[0].text == content


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('"They sue," he said.\xa0"Everybody sues, right?"', ['"They sue,"', '"Everybody sues, right?"']),
        ('The group wrote: "A course correction is needed now.“\n\nNext.', ['"A course correction is needed now.“']),
    ],
)
def test_marks_after_a_no_break_space_and_curly_marks_of_the_wrong_hand_are_read_by_their_place(text, quoted):
    assert [text[s.start : s.end] for s in find_quoted_spans(text, split_paragraphs(text))] == quoted


def test_quoted_words_reported_through_an_issued_statement_are_the_issuers():
    text = 'The union issued a statement saying it took the action "because of the unsafe conditions created by the police."'
    (quote,) = extract_quotes(text, language="en")
    assert quote.kind == "mixed" and quote.source_mention.text == "The union"
