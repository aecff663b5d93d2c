"""Combining trafilatura's text with readability's: edge trimming, recovery, fallbacks."""
from __future__ import annotations

import gzip

import lxml.html
from hypothesis import given
from hypothesis import strategies as st
from readability import Document
from readability.readability import clean

from extractors import body
from extractors.body import (
    combine,
    combined_text,
    html_fragment_to_text,
    trim_to_reference,
    without_headline,
    without_repeated_lines,
)
from newswatch_lab.extraction_metric import tokenize
from tests.conftest import shared_dataset

ARTICLE = [
    "The performers' union said the draft agreement sets a floor for consent and pay when a voice is cloned.",
    "Negotiators met for eleven hours before both sides agreed to publish the text for members to review.",
    "Members will vote on the agreement next month, and a simple majority is enough for it to take effect.",
]
LEADING_BOILERPLATE = "Sign up for our weekly newsletter and never miss a story from the arts desk"
TRAILING_BOILERPLATE = "Related coverage: five things to know about the new streaming charts this week"


def test_lines_outside_readabilitys_article_are_trimmed_from_the_edges():
    primary = "\n".join([LEADING_BOILERPLATE, *ARTICLE, TRAILING_BOILERPLATE])
    assert combine(primary, "\n".join(ARTICLE)) == "\n".join(ARTICLE)


def test_a_line_inside_the_article_stays_even_if_readability_skipped_it():
    embedded = "Statement posted by the union on its social media account on Friday evening"
    primary = "\n".join([ARTICLE[0], embedded, *ARTICLE[1:], TRAILING_BOILERPLATE])
    assert combine(primary, "\n".join(ARTICLE)) == "\n".join([ARTICLE[0], embedded, *ARTICLE[1:]])


def test_text_is_kept_whole_when_readability_found_a_different_block():
    primary = "\n".join([LEADING_BOILERPLATE, *ARTICLE])
    unrelated = "Weather: sunny spells with a light breeze from the west, highs of twenty degrees"
    assert combine(primary, unrelated) == primary
    # Trimming that would remove most of the text means the tools disagree: keep trafilatura's.
    mostly_unconfirmed = "\n".join([ARTICLE[0], LEADING_BOILERPLATE, *ARTICLE[1:]])
    assert trim_to_reference(mostly_unconfirmed, tokenize(ARTICLE[0])) == mostly_unconfirmed


def test_readability_replaces_a_truncated_trafilatura_text():
    longer = ARTICLE + [
        "The agreement also covers dubbing work, where synthetic voices have replaced some session jobs.",
        "Studios that break the rules face fines set by an arbitration panel named in the final section.",
        "The union will hold information sessions in four cities before members cast their ballots.",
        "Observers expect other unions in the sector to use the text as a model in their own talks.",
    ]
    assert combine(ARTICLE[0], "\n".join(longer)) == "\n".join(longer)


MISSED_SECTION = [
    "Section two of the draft sets out how studios must record each performer's consent before a session.",
    "A separate annex lists the rates owed when a synthetic voice is reused in a later production.",
]


def test_readability_wins_when_what_it_adds_is_prose_but_not_when_it_is_page_furniture():
    primary = "\n".join([*ARTICLE, "Members can read the full text online."])
    with_section = "\n".join([ARTICLE[0], *MISSED_SECTION, *ARTICLE[1:], "Members can read the full text online."])
    assert combine(primary, with_section) == with_section
    furniture = ["By Ana Ruiz", "Updated 10:45 GMT", "Photo: union archive", "Share this story", "Most read today", "Sign in"]
    with_furniture = "\n".join([*furniture, *ARTICLE, "Members can read the full text online."])
    assert combine(primary, with_furniture) == primary


def test_a_line_readability_repeats_word_for_word_is_dropped():
    caption = "The union's negotiators outside the studio on Monday"
    assert without_repeated_lines("\n".join([caption, ARTICLE[0], caption, "Share", "Share"])) == "\n".join([ARTICLE[0], "Share", "Share"])


def test_the_headline_is_removed_from_the_start_of_the_body_only():
    headline = "Union backs AI voice deal"
    assert without_headline("\n".join(["Union backs AI voice deal", *ARTICLE]), headline) == "\n".join(ARTICLE)
    quoted_later = "\n".join([*ARTICLE, "Union backs AI voice deal"])
    assert without_headline(quoted_later, headline) == quoted_later
    assert without_headline(ARTICLE[0], None) == ARTICLE[0]


def test_empty_readability_output_leaves_trafilatura_text_alone():
    primary = "\n".join([LEADING_BOILERPLATE, *ARTICLE])
    assert combine(primary, "") == primary


def test_fragment_text_has_one_line_per_block():
    fragment = "<div><h2>Heading</h2><p>First <b>bold</b> part.</p><ul><li>one</li><li>two</li></ul>tail</div>"
    assert html_fragment_to_text(fragment) == "Heading\nFirst bold part.\none\ntwo\ntail"


def test_a_crashing_extractor_counts_as_no_text_and_the_fallbacks_run(monkeypatch):
    def broken(page, url=None):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(body, "trafilatura_text", broken)
    monkeypatch.setattr(body, "_trafilatura_with_fallbacks", lambda page, url=None: "\n".join(ARTICLE))
    assert combined_text("<html><body><p>x</p></body></html>") == "\n".join(ARTICLE)


def test_trafilatura_fallbacks_run_only_when_its_fast_text_looks_cut_short(monkeypatch):
    long_text = "\n".join(ARTICLE * 4)
    assert not body.needs_trafilatura_fallbacks(long_text, long_text)
    assert body.needs_trafilatura_fallbacks(ARTICLE[0], ARTICLE[0])  # short
    assert body.needs_trafilatura_fallbacks(long_text, long_text + "\n" + long_text)  # readability finds twice as much

    calls = []
    monkeypatch.setattr(body, "trafilatura_text", lambda page, url=None: long_text)
    monkeypatch.setattr(body, "readability_text", lambda page, url=None: long_text)
    monkeypatch.setattr(body, "_trafilatura_with_fallbacks", lambda page, url=None: calls.append(url) or long_text)
    assert combined_text("<html><body><p>x</p></body></html>", "https://example.org/a") == long_text
    assert calls == []


def test_page_code_is_stripped_but_json_data_and_text_stay():
    tree = lxml.html.document_fromstring(
        '<html><head><script>var a = 1;</script><script type="application/ld+json">{"@type": "NewsArticle"}</script>'
        "<style>p {}</style></head><body><p>Before<noscript>Enable JS</noscript> after</p><svg><text>icon</text></svg></body></html>"
    )
    body.strip_page_code(tree)
    assert [script.get("type") for script in tree.iter("script")] == ["application/ld+json"]
    assert not list(tree.iter("style", "noscript", "svg"))
    assert tree.find(".//p").text_content() == "Before after"


class _StockReadability(Document):
    """readability-lxml's own methods, with the project's parse."""

    _parse = body._TextOnlyReadability._parse


def test_readability_overrides_match_the_stock_methods():
    page = (
        "<html><body><div class='sidebar'><p>Most read: five stories, all of them long enough to score here</p></div>"
        "<div class='article'>"
        + "".join(f"<div>{line} <a href='/x'>link\t\ttext</a> <span>aside</span> tail\xa0 text</div>" for line in ARTICLE)
        + "<div>Loose text<b>bold</b><p>A paragraph inside a div, long enough to be scored as article text.</p>more</div>"
        + "<div><picture><source srcset='a.jpg'></picture>Caption of a picture that sits inside a div.</div>"
        + "<div><span><img src='b.jpg'></span>An inline wrapper around an image, then the text of the div.<br>after</div>"
        + "<div class='comment-list'><p>A reader comment, with commas, that readability should prune, surely.</p></div>"
        + "<div class='sidebar main-column'><p>A column that reads as furniture and as content at once, kept.</p></div>"
        + "</div></body></html>"
    )
    expected = _StockReadability(page).summary(html_partial=True)
    assert body._TextOnlyReadability(page).summary(html_partial=True) == expected
    assert body.readability_text(page) == html_fragment_to_text(expected)


def test_readability_overrides_match_the_stock_methods_on_real_pages():
    directory = shared_dataset("wcxb-dev-articles")
    for path in sorted((directory / "html").glob("*.html.gz"))[:20]:
        page = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        expected = _StockReadability(page).summary(html_partial=True)
        assert body._TextOnlyReadability(page).summary(html_partial=True) == expected, path.name


@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\xa0\u2009\u3000ab,."), max_size=80))
def test_readability_text_length_is_the_length_of_its_cleaned_text(text):
    assert body._readability_text_length(text) == len(clean(text))


def test_readability_text_length_with_long_whitespace_runs():
    for text in ("a" + " \xa0" * 200 + "b", "a" + "\xa0" * 300 + "b\n\n c", "x\t\ty  z\t w", "\n \n", ""):
        assert body._readability_text_length(text) == len(clean(text)), repr(text)


def test_too_short_text_is_not_an_article():
    assert not body.is_article_sized("Home About Contact")
    assert body.is_article_sized(ARTICLE[0])
