"""Stance data: the shipped in-domain set, its validation, IBM loading and scoring."""
from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from newswatch.enrichment.profile import load_profile
from newswatch_lab.stance_data import (
    GROUNDED_PATH,
    IN_DOMAIN_PATH,
    LABELS,
    MODEL_LABELS,
    ContrastPair,
    StanceDataError,
    labelling_agreement,
    load_contrast,
    load_grounded,
    load_ibm_claim_stance,
    load_in_domain,
    load_stance_dataset,
    motion_to_claim,
    negate_claim,
    read_in_domain_rows,
    read_jsonl,
    score_contrast,
    score_grounded,
    score_predictions,
    validate_in_domain_rows,
)
from newswatch_lab.stance_training import (
    CLAIM_PARAPHRASES,
    load_ibm_annotations,
    split_ibm_train,
)
from tests.conftest import shared_dataset


def test_shipped_in_domain_set_is_valid_and_covers_every_target_and_label():
    profile = load_profile()
    rows = read_in_domain_rows(IN_DOMAIN_PATH)
    assert validate_in_domain_rows(rows, set(profile.target_ids)) == []
    assert len(rows) >= 300
    per_target_label = Counter((row["target_id"], row["label"]) for row in rows)
    for target_id in profile.target_ids:
        for label in LABELS:
            assert per_target_label[(target_id, label)] >= 15, (target_id, label)
    assert Counter(row["label"] for row in rows)["neutral"] >= 100


def test_in_domain_test_split_is_fixed_and_held_out():
    rows = read_in_domain_rows(IN_DOMAIN_PATH)
    splits = Counter(row["split"] for row in rows)
    assert splits["test"] >= 100 and splits["dev"] >= 30
    test_labels = Counter(row["label"] for row in rows if row["split"] == "test")
    assert min(test_labels[label] for label in LABELS) >= 30
    train_texts = {row["text"] for row in rows if row["split"] == "train"}
    assert not any(row["text"] in train_texts for row in rows if row["split"] == "test")


def test_in_domain_examples_carry_the_profile_claim():
    profile = load_profile()
    examples = load_in_domain()
    assert {e.claim for e in examples} == {t.claim for t in profile.targets}


def test_paraphrases_exist_for_every_profile_target():
    assert set(CLAIM_PARAPHRASES) == set(load_profile().target_ids)


def test_validation_reports_every_problem_at_once():
    rows = [
        {"id": "x1", "target_id": "consent", "text": "One.", "label": "favor", "split": "train"},
        {"id": "x1", "target_id": "consent", "text": "Two.", "label": "pro", "split": "train"},
        {"id": "x3", "target_id": "weather", "text": "Three.", "label": "neutral", "split": "later"},
        {"id": "x4", "text": "Four.", "label": "neutral", "split": "test"},
        {"id": "x5", "target_id": "consent", "text": "one.", "label": "against", "split": "test"},
    ]
    problems = validate_in_domain_rows(rows, {"consent"})
    joined = "\n".join(problems)
    assert "duplicate id" in joined
    assert "label 'pro'" in joined
    assert "unknown target_id 'weather'" in joined
    assert "split 'later'" in joined
    assert "missing target_id or target" in joined
    assert "same text as x1" in joined


def test_loader_refuses_an_invalid_file(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "1", "target_id": "consent", "text": "Hi.", "label": "maybe", "split": "test"}) + "\n")
    with pytest.raises(StanceDataError, match="label 'maybe'"):
        load_in_domain(path, {"consent": "A claim."})


def test_external_file_may_give_a_free_text_target_and_no_split(tmp_path):
    path = tmp_path / "extra.jsonl"
    rows = [
        {"id": "e1", "target": "Cats are better than dogs.", "text": "Dogs drool.", "label": "favor"},
        {"id": "e2", "target_id": "consent", "text": "The hearing was moved.", "label": "neutral"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    examples, polar_only = load_stance_dataset(path)
    assert not polar_only
    assert [e.claim for e in examples] == ["Cats are better than dogs.", load_profile().target("consent").claim]


def test_motions_become_plain_claims():
    assert motion_to_claim("This house would ban boxing") == "We should ban boxing"
    assert motion_to_claim("This house believes that advertising is harmful") == "Advertising is harmful"
    assert motion_to_claim("This house supports the one-child policy") == "We should support the one-child policy"
    assert motion_to_claim("This house believes in the use of affirmative action") == "We should support the use of affirmative action"


def test_negation_flips_the_claim():
    assert negate_claim("We should ban boxing") == "We should not ban boxing"
    assert negate_claim("AI companies must obtain consent.") == "AI companies need not obtain consent."
    assert negate_claim("Voices must not be cloned without permission.") == "Voices may be cloned without permission."
    assert negate_claim("States should not subsidize tobacco") == "States should subsidize tobacco"
    assert negate_claim("Advertising is harmful") == "Advertising is not harmful"
    assert negate_claim("Creators deserve a cut.").startswith("It is wrong that creators")


def test_ibm_loader_and_dev_split():
    directory = shared_dataset("stance-ibm-claim-stance")
    examples = load_ibm_claim_stance(directory)
    assert Counter(e.split for e in examples) == {"train": 1039, "test": 1355}
    assert {e.label for e in examples} == {"favor", "against"}
    train, dev = split_ibm_train(examples, every=5)
    assert len({e.group for e in train}) == 20 and len({e.group for e in dev}) == 5
    assert not {e.group for e in train} & {e.group for e in dev}
    annotations = load_ibm_annotations(directory)
    assert all(e.id in annotations for e in examples)


def test_polar_scoring_takes_the_larger_of_favor_and_against():
    # Neutral is the largest everywhere, but a pro/con set is scored on favor vs against only.
    probs = np.array([[0.3, 0.1, 0.6], [0.1, 0.3, 0.6]])
    scores = score_predictions(["favor", "against"], probs, polar_only=True, threshold=0.5)
    assert scores["macro_f1"] == 1.0
    assert set(scores["per_class_f1"]) == {"favor", "against"}
    three_way = score_predictions(["favor", "against"], probs, polar_only=False, threshold=0.5)
    assert three_way["accuracy"] == 0.0
    assert three_way["coverage"] == 1.0


def test_grounded_set_is_large_varied_and_split_by_story():
    statements = load_grounded()
    assert len(statements) >= 1000
    assert len({s.source_url for s in statements}) >= 300
    rows = read_jsonl(GROUNDED_PATH)
    split_of_page, split_of_query = {}, {}
    for row in rows:
        assert split_of_page.setdefault(row["source_url"], row["split"]) == row["split"], row["source_url"]
        assert split_of_query.setdefault(row["query"], row["split"]) == row["split"], row["query"]
    test = [s for s in statements if s.split == "test"]
    counts = Counter(label for s in test for label in s.labels.values())
    assert all(counts[label] >= 50 for label in LABELS), counts
    # Statements about AI and culture that address no target at all are part of the set.
    assert sum(all(v == "not_addressed" for v in s.labels.values()) for s in statements) >= 100
    assert len({s.speaker_type for s in statements}) >= 10


def test_contrast_pairs_flip_or_remove_a_position():
    pairs = load_contrast()
    assert len(pairs) >= 150
    assert all(p.first[1] != p.second[1] and p.first[0] != p.second[0] for p in pairs)
    assert {p.target for p in pairs} == set(load_profile().target_ids)


def test_second_labelling_pass_covers_300_records_with_kappa_per_target():
    agreement = labelling_agreement()
    assert agreement["records"] >= 300
    assert set(agreement["kappa"]) == set(load_profile().target_ids)
    assert all(0.0 < k <= 1.0 for k in agreement["kappa"].values())


def _row(label: str, addressed: float = 0.9) -> list[float]:
    stance = {"favor": [0.8, 0.1, 0.1], "against": [0.1, 0.8, 0.1], "neutral": [0.1, 0.1, 0.8]}[label]
    return [p * addressed for p in stance] + [1.0 - addressed]


def test_grounded_scoring_keeps_detection_and_stance_apart():
    gold = ["favor", "against", "neutral", "not_addressed", "not_addressed"]
    # Stance right on every addressed pair, but one addressed pair missed and one false alarm.
    probs = np.array([_row("favor"), _row("against", 0.3), _row("neutral"), _row("favor", 0.2), _row("favor", 0.9)])
    scores = score_grounded(gold, probs)
    assert scores["stance_macro_f1"] == 1.0
    assert scores["addressed_f1"] == pytest.approx(2 / 3, abs=1e-3)
    assert scores["addressed"] == 3 and scores["n"] == 5


def test_contrast_pair_counts_only_when_both_members_are_right():
    pairs = [
        ContrastPair("p1", "consent", ("with consent", "favor"), ("without consent", "against")),
        ContrastPair("p2", "consent", ("asked first", "favor"), ("about music", "not_addressed")),
    ]
    probs = np.array([_row("favor"), _row("against"), _row("favor"), _row("favor", 0.9)])
    scores = score_contrast(pairs, probs)
    assert scores["pair_accuracy"] == 0.5 and scores["member_accuracy"] == 0.75
    assert MODEL_LABELS[-1] == "not_addressed"
