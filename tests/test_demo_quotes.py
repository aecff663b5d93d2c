"""Quotes over the whole demo corpus, processed in-process as the pipeline does (page -> article text -> quotes).

What an analyst filters on must hold: the most frequent speaker and organisation values are real people
and organisations of the demo world (never a place, a weekday, a job title or a stray word), every quote
the corpus's authors attributed carries that speaker, and no quote is stored twice.
"""
from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from extractors.article import extract_article
from newswatch.core.model import Quote
from newswatch.quotes.extraction import extract_quotes
from newswatch_lab import demo_corpus
from newswatch_lab.demo_corpus import CORPUS_DIR

EXPECTED = demo_corpus.expected()
TOP = 30

# Everyone and everything in the demo world that may be a speaker or an organisation value.
PEOPLE = {
    "Aria Solenne", "Arjun Desai", "Carmen Vidal", "Claire Dubois", "Dana Whitfield", "Felix Amari", "Gregory Adeyemi",
    "Helena Marsh", "Jonah Whitcombe", "Jules Moreau", "Kofi Mensah", "Lena Fischer", "Liam O'Dowd", "Marcus Hale",
    "Maya Okafor", "Miriam Osei", "Nadia Kovacs", "Owen Price", "Priya Lindqvist", "Ravi Menon", "Rosa Lindgren",
    "Ruth Ellison", "Samuel Achterberg", "Sofia Brandt", "Theo Brandvold", "Hana Sato", "Ines Caballero", "Tomas Berger",
    "Grace Holloway", "Ahmed Rahimi", "David Kowal",
}
ORGANISATIONS = {
    "Wavelane", "Echovox", "Synthaura", "Streamora", "Pixelforge", "Canvasly", "Lyra Labs", "Kestrel Sound",
    "Fair Play for Creators Alliance", "Independent Musicians Union", "Open Model Coalition", "Recorded Music Alliance",
    "Voice Performers Guild", "Illustrators' Guild", "Creative Works Office", "Northgate Music Group", "Silverline Records",
    "Harlow & Finch", "Westbrook University", "Norvane Semiconductor", "Corbel Securities", "SoundCount", "Brightwater",
    "Session Players Union", "Lantern Hours", "Brightwater Festival",
}


def _page_path(path: str):
    file = CORPUS_DIR / path.lstrip("/")
    return file if file.suffix == ".html" else file.with_name(file.name + ".html")


@pytest.fixture(scope="module")
def quotes_by_article() -> dict[str, list[Quote]]:
    found = {}
    for article in EXPECTED["articles"]:
        page = _page_path(article["path"]).read_text(encoding="utf-8")
        extracted = extract_article(page, f"http://demo.invalid{article['path']}")
        known = (extracted.site_name,) if extracted.site_name else ()
        found[article["path"]] = extract_quotes(extracted.text, language="en", known_organisations=known)
    return found


def _normalise(text: str) -> str:
    return " ".join(text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})).split())


def test_top_speaker_and_organisation_values_are_real_people_and_organisations(quotes_by_article):
    quotes = [q for found in quotes_by_article.values() for q in found]
    speakers = Counter(q.speaker for q in quotes if q.speaker)
    organisations = Counter(q.organization for q in quotes if q.organization)
    assert len(speakers) >= TOP  # the corpus is big enough for the facet to mean something
    assert [s for s, _ in speakers.most_common(TOP) if s not in PEOPLE | ORGANISATIONS] == []
    assert [o for o, _ in organisations.most_common(TOP) if o not in ORGANISATIONS] == []
    assert [q.speaker for q in quotes if q.speaker in PEOPLE and q.speaker_type != "person"] == []


def test_every_attributed_quote_has_its_named_speaker(quotes_by_article):
    wrong = []
    for expected in EXPECTED["quotes"]:
        # starts_with opens the quoted words; a mixed quote holds them after its reported part.
        found = [q for q in quotes_by_article[expected["path"]] if _normalise(expected["starts_with"]) in _normalise(q.text)]
        want = expected["speaker"] or _normalise(expected["organization"])
        got = [(q.speaker, q.organization) for q in found]
        organisations = (None, _normalise(expected["organization"] or ""))
        if not found or found[0].speaker != want or found[0].organization not in organisations:
            wrong.append((expected["path"].rsplit("/", 1)[-1], expected["starts_with"][:40], want, got))
    assert wrong == []


def test_no_quote_is_stored_twice(quotes_by_article):
    for path, quotes in quotes_by_article.items():
        texts = [_normalise(q.text) for q in quotes]
        assert len(texts) == len(set(texts)), path
        spans = sorted((c.start, c.end) for q in quotes for c in q.contents)
        overlapping = [(a, b) for a, b in pairwise(spans) if b[0] < a[1]]
        assert overlapping == [], path
