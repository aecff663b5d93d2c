"""The benchmark's shingle metric, on cases small enough to count by hand."""
from __future__ import annotations

import pytest

from newswatch_lab.extraction_metric import score_corpus, score_page, shingles, tokenize


def test_tokens_are_unicode_words_with_case_kept():
    assert tokenize("Ação, é boa!  Don't") == ["Ação", "é", "boa", "Don", "t"]


def test_shingles_are_overlapping_four_token_windows_counted_as_a_multiset():
    counts = shingles(tokenize("a b c d a b c d"))
    assert counts[("a", "b", "c", "d")] == 2
    assert sum(counts.values()) == 5


def test_short_text_is_one_shorter_shingle_and_empty_text_has_none():
    assert shingles(["hello", "world"]) == {("hello", "world"): 1}
    assert shingles([]) == {}


def test_identical_text_up_to_punctuation_and_spacing_is_exact():
    page = score_page("Hello,   world: a test!", "Hello world a test")
    assert (page.precision, page.recall, page.exact) == (1.0, 1.0, True)


def test_one_extra_word_costs_one_of_four_shingles_of_precision():
    # reference: 6 tokens -> 3 shingles; prediction adds "today" -> 4 shingles, 3 shared.
    page = score_page("the cat sat on the mat", "the cat sat on the mat today")
    assert page.tp == pytest.approx(0.75) and page.fp == pytest.approx(0.25) and page.fn == 0
    assert page.precision == pytest.approx(0.75)
    assert page.recall == 1.0
    assert not page.exact


def test_repeated_shingles_must_be_matched_as_often_as_they_occur():
    # reference shingles: abcd x2, bcda, cdab, dabc (5); prediction: abcd x1.
    page = score_page("a b c d a b c d", "a b c d")
    assert page.recall == pytest.approx(1 / 5)
    assert page.precision == 1.0


def test_case_differences_are_errors():
    page = score_page("hello world", "Hello world")
    assert (page.precision, page.recall) == (0.0, 0.0)


def test_empty_output_costs_recall_only():
    perfect = score_page("one two three four five", "one two three four five")
    empty = score_page("one two three four five", "")
    assert not empty.has_output and empty.recall == 0.0
    corpus = score_corpus([perfect, empty])
    assert corpus.precision == 1.0  # mean over the one page with output
    assert corpus.recall == 0.5
    assert corpus.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert corpus.accuracy == 0.5
    assert corpus.pages_with_output == 1


def test_f1_is_the_harmonic_mean_of_the_mean_precision_and_mean_recall():
    pages = [
        score_page("the cat sat on the mat", "the cat sat on the mat today"),  # P 0.75, R 1
        score_page("a b c d a b c d", "a b c d"),  # P 1, R 0.2
    ]
    corpus = score_corpus(pages)
    assert corpus.precision == pytest.approx(0.875)
    assert corpus.recall == pytest.approx(0.6)
    assert corpus.f1 == pytest.approx(2 * 0.875 * 0.6 / (0.875 + 0.6))  # 0.7119, not the mean page F1 0.595
    assert corpus.accuracy == 0.0
