"""The alias registry: one name per person and organisation across the articles of a run."""
from __future__ import annotations

from newswatch.quotes.aliases import AliasRegistry, alias_key
from newswatch.quotes.extraction import extract_quotes


def test_spellings_of_one_name_share_a_key():
    assert alias_key("the Illustrators’ Guild") == alias_key("Illustrators Guild") == alias_key("ILLUSTRATORS' GUILD")
    assert alias_key("Liam O’Dowd") == alias_key("liam o'dowd")
    assert alias_key("Fair Play for Creators Alliance") != alias_key("Fair Play")


def test_the_profiles_organisations_seed_the_canonical_forms():
    registry = AliasRegistry.seeded(["Creative Works Office", "Fair Play for Creators Alliance"])
    assert registry.organisation("the creative works office") == "Creative Works Office"
    assert registry.organisation("FAIR PLAY FOR CREATORS ALLIANCE") == "Fair Play for Creators Alliance"
    assert registry.organisation("Northwind Audio") == "Northwind Audio"  # unknown: left as written
    assert registry.add_organisation("the Creative Works Office") == "Creative Works Office"  # first form wins


def test_appositions_teach_a_person_and_the_full_name_of_their_organisation():
    registry = AliasRegistry()
    registry.learn("Ines Sol, the chair of the Illustrators’ Guild, said the change was unfair. Maya Okafor of the Fair Play for Creators Alliance agreed.")
    assert registry.organisation_of("Ines Sol") == "Illustrators' Guild"
    assert registry.organisation_of("Maya Okafor") == "Fair Play for Creators Alliance"  # never "Fair" or "Guild"
    assert registry.person("Okafor") == "Maya Okafor"
    assert registry.person("Brandt") == "Brandt"  # no one known by that surname


def test_an_acronym_in_parentheses_names_the_words_it_abbreviates():
    registry = AliasRegistry()
    registry.learn("Maya Okafor of the Fair Play for Creators Alliance (FPCA) criticised the terms.")
    assert registry.organisation("FPCA") == "Fair Play for Creators Alliance"


def test_a_surname_shared_by_two_known_people_stays_as_written():
    registry = AliasRegistry()
    registry.add_person("Sofia Brandt")
    registry.add_person("Erik Brandt")
    assert registry.person("Brandt") == "Brandt"


def test_a_run_gives_speakers_one_name_and_organisation_across_articles():
    registry = AliasRegistry.seeded(["Creative Works Office"])
    first = (
        "Maya Okafor of the Fair Play for Creators Alliance (FPCA) criticised the terms. "
        "“An opt-out puts the burden on artists,” Okafor said."
    )
    follow_up = (
        "“We will keep pushing,” Okafor said on Monday.\n\n"
        "FPCA said “the terms are still unfair.”\n\n"
        "“We are listening,” said a spokesperson for the creative works office."
    )
    extract_quotes(first, language="en", aliases=registry)
    quotes = extract_quotes(follow_up, language="en", aliases=registry)
    assert [(q.speaker, q.speaker_type, q.organization) for q in quotes[:2]] == [
        ("Maya Okafor", "person", "Fair Play for Creators Alliance"),
        ("Fair Play for Creators Alliance", "organization", None),
    ]
    # Without the registry the follow-up knows only a surname.
    assert extract_quotes(follow_up, language="en")[0].speaker == "Okafor"
