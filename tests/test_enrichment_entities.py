"""Entity normalisation (pure) and one run of the spaCy model."""
from __future__ import annotations

from newswatch.enrichment.entities import (
    clean_name,
    entities_from_spans,
    extract_entities,
)


def test_clean_name_strips_possessives_honorifics_and_the():
    assert clean_name("Mr. Newton-Rex's", person=True) == "Newton-Rex"
    assert clean_name("Getty Images'", person=False) == "Getty Images"
    assert clean_name("the Recording Academy", person=False) == "Recording Academy"
    assert clean_name("  Dr  Ada\nLovelace ", person=True) == "Ada Lovelace"


def test_surnames_merge_into_the_one_full_name():
    entities = entities_from_spans([("Ed Newton-Rex", "PERSON"), ("Newton-Rex", "PERSON"), ("Newton", "PERSON"), ("Karla Ortiz", "PERSON"), ("Smith", "PERSON"), ("Jane Smith", "PERSON"), ("John Smith", "PERSON")])
    assert entities.people[0] == "Ed Newton-Rex"  # three mentions
    assert "Newton-Rex" not in entities.people and "Newton" not in entities.people
    assert "Smith" in entities.people  # ambiguous: two full names end in Smith


def test_acronyms_case_variants_and_misfiled_companies():
    entities = entities_from_spans(
        [("the Recording Industry Association of America", "ORG"), ("RIAA", "ORG"), ("OpenAI", "PERSON"), ("Getty Images'", "PERSON"),
         ("Suno", "PERSON"), ("SUNO", "ORG"), ("Universal Music Group", "ORG"), ("universal music group", "ORG"), ("Tuesday", "DATE"), ("x", "PERSON")],
        known_organizations=frozenset({"suno"}),
    )  # fmt: skip
    assert entities.people == []
    assert entities.organizations[:3] == ["Recording Industry Association of America", "Suno", "Universal Music Group"]
    assert set(entities.organizations) == {"Recording Industry Association of America", "Suno", "Universal Music Group", "OpenAI", "Getty Images"}


def test_spacy_model_finds_people_and_organisations():
    text = (
        "Karla Ortiz, an illustrator, said on Tuesday that Stability AI had copied her work. "
        "Ortiz's lawyers filed the complaint with the support of the Authors Guild. "
        "Universal Music Group declined to comment."
    )
    entities = extract_entities(text, title="Illustrator sues over AI training")
    assert entities.people == ["Karla Ortiz"]
    assert {"Stability AI", "Universal Music Group"} <= set(entities.organizations)
    assert extract_entities("   ").people == []
