"""PolNeAR scoring: brat parsing, overlap50 matching, speaker and end-to-end figures."""
from __future__ import annotations

import pytest

from newswatch.core.model import Quote, Span
from newswatch_lab.polnear import evaluate, load_split, parse_brat, row, score_document
from newswatch_lab.quotes_eval import GroupScore
from tests.conftest import shared_dataset

TEXT = '"We will appeal," said Ana Ruiz. The company said it disagreed with the ruling.'
BRAT = """T1\tContent 0 16\t"We will appeal,"
T2\tCue 17 21\tsaid
T3\tSource 22 30\tAna Ruiz
T4\tAttribution 17 21\tsaid
E1\tAttribution:T4 Content:T1 Cue:T2 Source:T3
T5\tSource 32 43\tThe company
T6\tCue 44 48\tsaid
T7\tContent 49 79\tit disagreed with the ruling
E2\tAttribution:T6 Content:T7 Cue:T5 Source:T5
"""


def quote(kind: str, start: int, end: int, speaker: tuple[int, int] | None) -> Quote:
    source = Span(start=speaker[0], end=speaker[1], text=TEXT[speaker[0]:speaker[1]]) if speaker else None
    return Quote(position=start, kind=kind, text=TEXT[start:end], contents=[Span(start=start, end=end, text=TEXT[start:end])], source_mention=source)


def test_brat_events_link_content_and_source_spans():
    gold = parse_brat(BRAT)
    assert [g.content for g in gold] == [((0, 16),), ((49, 79),)]
    assert gold[0].source == ((22, 30),)


def test_matching_is_one_to_one_at_half_overlap_and_speakers_must_touch_the_gold_source():
    gold = parse_brat(BRAT)
    tally = GroupScore()
    # The direct quote found with its speaker; a second prediction of the same span must not match twice.
    score_document(tally, TEXT, gold[:1], [quote("direct", 1, 15, (22, 30)), quote("direct", 1, 15, None)])
    figures = row(tally)
    assert (figures["gold"], figures["predicted"], figures["precision"], figures["recall"]) == (1, 2, 0.5, 1.0)
    assert figures["speaker_accuracy"] == 1.0
    tally = GroupScore()
    score_document(tally, TEXT, gold[:1], [quote("direct", 1, 5, (32, 43))])  # too little overlap
    assert row(tally)["f1"] == 0.0


def test_direct_rows_take_only_quoted_gold_and_direct_predictions():
    from newswatch_lab.polnear import Document

    document = Document("d", TEXT, parse_brat(BRAT))
    results = evaluate([document], lambda text: [quote("direct", 1, 15, (22, 30)), quote("indirect", 49, 79, (32, 43))])
    assert results["direct+mixed"]["gold"] == 1 and results["direct+mixed"]["f1"] == 1.0
    assert results["all attributions"]["gold"] == 2 and results["all attributions"]["end_to_end_f1"] == 1.0


@pytest.mark.shared_data
def test_dev_split_loads_with_one_annotation_per_text():
    documents = load_split(shared_dataset("polnear-train-dev"), "dev")
    assert len(documents) == 84
    assert all(d.attributions for d in documents[:10])
