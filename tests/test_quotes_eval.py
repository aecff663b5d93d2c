"""``newswatch eval quotes`` on the shared fixture and the project's development set, with thresholds."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_dataset

from newswatch.cli import main as newswatch_main
from newswatch.commands.quotes import extract_item
from newswatch.core.settings import REPO_ROOT
from newswatch_lab.quotes_eval import (
    TARGETS,
    QuoteEvaluation,
    evaluate,
    jaccard,
    load_dataset,
    score_record,
)

DEV_SET = REPO_ROOT / "datasets" / "quotes-dev" / "quotes-dev.jsonl"


def _evaluate(path: Path):
    return evaluate(load_dataset(path), lambda r: extract_item({"id": r["id"], "text": r["text"]}))


def _assert_targets(evaluation, indirect_precision: bool):
    quote = evaluation.groups["quote"]
    assert quote.f1 >= TARGETS["quote_f1"], evaluation.mistakes
    assert quote.speaker_accuracy >= TARGETS["speaker_accuracy"], evaluation.mistakes
    assert evaluation.negatives_clean == evaluation.negatives
    assert not evaluation.errors
    if indirect_precision:
        assert evaluation.groups["indirect"].precision >= TARGETS["indirect_precision"], evaluation.mistakes


@pytest.mark.shared_data
def test_shared_synthetic_set_meets_targets():
    path = shared_dataset("quotes-synthetic") / "quotes-synthetic.jsonl"
    _assert_targets(_evaluate(path), indirect_precision=False)


def test_development_set_meets_targets():
    _assert_targets(_evaluate(DEV_SET), indirect_precision=True)


def test_development_set_offsets_are_exact():
    records = load_dataset(DEV_SET)
    assert len(records) >= 60
    for record in records:
        for quote in record["quotes"]:
            spans = quote["contents"] + quote["sources"] + ([quote["cue"]] if quote["cue"] else [])
            for span in spans:
                assert record["text"][span["start"] : span["end"]] == span["text"], record["id"]


def test_eval_command_prints_scores_and_exit_code(capsys):
    code = newswatch_main(["eval", "quotes", "--dataset", str(DEV_SET)])
    printed = capsys.readouterr().out
    assert code == 0
    for label in ("direct+mixed F1", "speaker accuracy", "resolved-name accuracy", "indirect precision", "negative texts clean"):
        assert label in printed


def test_metric_matches_by_jaccard_and_checks_speaker_overlap():
    text = "“We will sue,” said Ana Ruiz."
    gold = {"id": "t", "text": text, "quotes": [{"type": "direct", "contents": [{"start": 0, "end": 14, "text": text[:14]}],
            "sources": [{"start": 20, "end": 28, "text": "Ana Ruiz"}], "cue": None, "speaker_resolved": "Ana Ruiz"}]}
    good = [{"type": "direct", "contents": [{"start": 1, "end": 12}], "sources": [{"start": 24, "end": 28}], "speaker": "Ana Ruiz"}]
    wrong_speaker = [{"type": "direct", "contents": [{"start": 1, "end": 12}], "sources": [], "speaker": None}]
    indirect_only = [{"type": "indirect", "contents": [{"start": 1, "end": 12}], "sources": [], "speaker": None}]
    for predicted, matched, speaker_ok in ((good, 1, 1), (wrong_speaker, 1, 0), (indirect_only, 0, 0)):
        evaluation = QuoteEvaluation()
        score_record(gold, predicted, evaluation)
        assert evaluation.groups["quote"].matched == matched
        assert evaluation.groups["quote"].speaker_correct == speaker_ok
    assert jaccard({1, 2}, {2, 3}) == pytest.approx(1 / 3)
