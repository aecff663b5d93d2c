"""Attribution rules for real news: participle tags, parenthetical tags, nested and noun-headed reports,
sentence leads, "according to" with quoted words, and where a mixed quote ends."""
from __future__ import annotations

from newswatch.quotes.extraction import extract_quotes


def _only(text: str, kind: str | None = None):
    quotes = [q for q in extract_quotes(text) if kind is None or q.kind == kind]
    assert len(quotes) == 1, [(q.kind, q.text) for q in quotes]
    return quotes[0]


def test_participle_tag_takes_the_subject_of_its_clause():
    quote = _only("Weaver was not impressed by the senator's remarks on Tuesday, telling reporters, "
                  "“A lot of people said the governor should step down.”")
    assert quote.kind == "direct" and quote.speaker == "Weaver" and quote.cue.text == "telling"


def test_by_saying_tag_takes_the_subject_of_the_verb_it_modifies():
    quote = _only("When the hearing resumed, the judge began by saying, “I don’t think that it is necessary for him to go to jail.”")
    assert quote.source_mention.text == "the judge" and quote.cue.text == "saying"


def test_short_exclamation_by_an_unnamed_speaker_is_a_quote_not_a_catchword():
    quote = _only("When the senator thanked the city, a man in the crowd yelled “Stay there!”")
    assert quote.source_mention.text == "a man in the crowd" and quote.text == "Stay there!"


def test_quoted_phrase_deep_inside_a_reported_clause_belongs_to_the_reporting_verb():
    text = "Trump said during the debate that he is in favor of bringing back waterboarding and “a hell of a lot worse.”"
    quote = _only(text)
    assert quote.kind == "mixed" and quote.speaker == "Trump"
    assert quote.contents[0].text.startswith("that he is in favor")  # the clause's "that" is part of the content


def test_parenthetical_tag_leaves_the_rest_of_the_sentence_as_the_content():
    quote = _only("Trump, Sexton said, has created a “strange, reality-bending zone” for his supporters.")
    assert quote.kind == "mixed" and quote.speaker == "Sexton"
    assert [c.text for c in quote.contents] == ["Trump", "has created a “strange, reality-bending zone” for his supporters"]


def test_reported_clause_ending_in_quoted_words_is_mixed_and_keeps_the_closing_mark():
    quote = _only("Asked about the vote, most said they were “very worried.”")
    assert quote.kind == "mixed" and quote.contents[0].text == "they were “very worried.”"


def test_words_opening_the_quoted_sentence_before_a_post_tag_belong_to_the_quote():
    quote = _only("The party, attended by hundreds of delegates every four years, “allows us to get our message out,” Coleman said.")
    assert quote.kind == "mixed" and quote.speaker == "Coleman"
    assert quote.contents[0].text.startswith("The party, attended by hundreds")


def test_according_to_with_quoted_words_is_a_mixed_quote():
    quote = _only("According to Trump, he is now “the worst thing that ever happened to the establishment.”")
    assert quote.kind == "mixed" and quote.speaker == "Trump"
    assert quote.contents[0].text == "he is now “the worst thing that ever happened to the establishment.”"


def test_statement_noun_gives_its_owner_as_the_speaker():
    text = ("Madeleine Albright caused a stir this year with her remark that “there is a special place in hell "
            "for women who don’t help each other.”")
    quote = _only(text)
    assert quote.kind == "mixed" and quote.source_mention.text == "her" and quote.speaker == "Madeleine Albright"
    assert quote.cue.text == "remark" and quote.contents[0].text.startswith("that “there is")


def test_mixed_quote_ends_where_a_participle_aside_follows_a_comma_inside_the_closing_mark():
    quote = _only("Trump has hailed the vote to leave as “fantastic,” telling reporters that he was pleased.", kind="mixed")
    assert quote.contents[0].text.endswith("“fantastic,”")


def test_title_of_a_show_before_a_tag_is_not_a_quote():
    quotes = extract_quotes("On CBS’s “Face the Nation,” Sanders said, the race was far from over.")
    assert all("Face the Nation" not in q.text for q in quotes)


def test_one_word_characterisation_by_a_person_already_introduced_is_theirs_but_not_by_unnamed_critics():
    quote = _only("Dana Whitfield spoke after the vote. The senator called the proposal “reckless.”")
    assert quote.kind == "mixed" and quote.source_mention.text == "The senator" and quote.speaker == "Dana Whitfield"
    assert extract_quotes("Critics called the proposal “reckless.”") == []
