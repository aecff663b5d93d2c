"""The stance classifier's loading, prediction, calibration and aggregation code paths.

A tiny randomly initialised BERT (built in a temp folder) stands in for the trained
model and for both frozen encoders, and tiny random target heads for the trained ones, so
these tests need neither the shipped weights nor the MiniLM and mpnet packages.
"""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel, BertTokenizerFast, MPNetConfig, MPNetModel

from newswatch.commands.stance import run_stance
from newswatch.core.model import StanceJudgement
from newswatch.enrichment.model_service import EncoderConfig, SentenceEncoder
from newswatch.enrichment.stance import (
    StanceClassifier,
    StanceHead,
    StanceModelUnavailable,
    StanceSettings,
    StatementEncoder,
    TARGET_CLASSIFIER_DIR,
    TARGET_CLASSIFIER_LAYERS_FILE,
    TargetClassifier,
    TargetHead,
    aggregate_stance,
    combined_log_probs,
    judgement_from_probs,
    reference_views,
    save_stance_model,
    save_target_heads,
    softmax,
    with_target_classifier,
    with_target_heads,
)
from newswatch_lab.stance_data import LABELS, MODEL_LABELS
from newswatch_lab.stance_training import fit_temperature

PROFILE_CLAIM = "ai companies must pay creators"
WORDS = "the a artists ai companies must pay creators for training data lawsuit is meritless we support consent voice".split()


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-stance")
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, ".", ","]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS) + 7, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64,
    )
    encoder = StatementEncoder(BertModel(config))
    head = StanceHead(16, 16, rank=2)
    reference_head = StanceHead(16, 16, rank=1)
    settings = StanceSettings(
        rank=2, statement_dim=16, claim_dim=16, temperature=1.0, threshold=0.5, max_length=32,
        reference_rank=1, reference_dim=16, reference_temperature=2.0, ensemble_temperature=0.8,
        target_claims=(PROFILE_CLAIM,), target_heads=2, target_hidden=8, target_weight=0.6, addressed_threshold=0.4,
    )
    save_stance_model(directory, encoder, head, reference_head, tokenizer, settings)
    save_target_heads(directory, [TargetHead(32, 16, hidden=8), TargetHead(32, 16, hidden=8)])
    return directory


@pytest.fixture(scope="module")
def tiny_encoder(tiny_model_dir):
    return SentenceEncoder(EncoderConfig(model_dir=tiny_model_dir, max_length=32))


@pytest.fixture(scope="module")
def tiny_classifier(tiny_model_dir, tiny_encoder):
    return StanceClassifier(tiny_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_encoder)


def test_weights_are_stored_in_half_precision(tiny_model_dir):
    from safetensors import safe_open

    with safe_open(str(tiny_model_dir / "model.safetensors"), framework="pt") as handle:
        dtypes = {handle.get_tensor(name).dtype for name in handle.keys()}
    assert dtypes == {torch.float16}


def test_predict_returns_calibrated_probabilities_over_three_labels(tiny_classifier):
    judgement = tiny_classifier.predict("we support consent", "ai companies must pay creators", "compensation")
    assert isinstance(judgement, StanceJudgement)
    assert judgement.target_id == "compensation"
    assert set(judgement.probs) == set(LABELS)
    assert sum(judgement.probs.values()) == pytest.approx(1.0, abs=1e-3)
    assert judgement.confidence == pytest.approx(max(judgement.probs.values()), abs=1e-4)
    assert judgement.label in (*LABELS, "uncertain")


def test_batch_keeps_order_and_matches_single_predictions(tiny_classifier):
    items = [
        ("the lawsuit is meritless", "artists must pay", "litigation"),
        ("we support consent", "ai companies must pay creators", "consent"),
        ("the lawsuit is meritless", "we support consent", "consent"),
    ]
    batch = tiny_classifier.predict_batch(items)
    assert [j.target_id for j in batch] == ["litigation", "consent", "consent"]
    for (text, claim, target), judged in zip(items, batch):
        single = tiny_classifier.predict(text, claim, target)
        assert single.probs == pytest.approx(judged.probs, abs=1e-3)


def test_probabilities_combine_the_experts_and_for_profile_claims_the_target_heads(tiny_classifier):
    pairs = [(PROFILE_CLAIM, "we support consent"), ("artists must pay", "the lawsuit is meritless")]
    tuned, reference, target = tiny_classifier.expert_logits(pairs)
    settings = tiny_classifier.settings
    experts = softmax(combined_log_probs(tuned, reference, settings.temperature, settings.reference_temperature), settings.ensemble_temperature)
    full = tiny_classifier.full_probabilities(pairs)
    assert full.shape == (2, len(MODEL_LABELS))
    assert full.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-6)
    # The last column is the target heads' P(not addressed), for any claim.
    assert full[:, -1] == pytest.approx(np.exp(target[:, -1]), abs=1e-6)
    stance = tiny_classifier.probabilities(pairs)
    # A profile claim mixes in the heads' stance; a free-text claim is the experts' alone.
    assert stance[0] == pytest.approx(with_target_heads(experts[:1], target[:1], settings.target_weight)[0], abs=1e-5)
    assert stance[1] == pytest.approx(experts[1], abs=1e-5)
    assert not np.allclose(tuned, reference)


def test_addressed_follows_the_heads_and_the_threshold(tiny_model_dir, tiny_encoder):
    judgement = tiny_classifier_for(tiny_model_dir, tiny_encoder).predict("we support consent", PROFILE_CLAIM, "compensation")
    assert 0.0 <= judgement.addressed <= 1.0
    lenient = tiny_classifier_for(tiny_model_dir, tiny_encoder, addressed_threshold=0.0)
    strict = tiny_classifier_for(tiny_model_dir, tiny_encoder, addressed_threshold=1.01)
    assert lenient.is_addressed(judgement) and not strict.is_addressed(judgement)
    assert tiny_classifier_for(tiny_model_dir, tiny_encoder).addressed_threshold == 0.4


def tiny_classifier_for(directory, encoder, **options) -> StanceClassifier:
    return StanceClassifier(directory, claim_encoder=encoder, reference_encoder=encoder, **options)


def test_combination_is_a_geometric_mean_of_calibrated_experts():
    sure = np.array([[4.0, -4.0, 0.0]])
    hesitant = np.array([[0.1, 0.0, 0.0]])
    combined = softmax(combined_log_probs(sure, hesitant, 1.0, 1.0))
    assert np.argmax(combined) == 0
    expected = np.sqrt(softmax(sure) * softmax(hesitant))
    assert combined == pytest.approx(expected / expected.sum(), abs=1e-6)
    # A class one expert all but rules out stays unlikely, however sure the other is.
    vetoed = softmax(combined_log_probs(np.array([[8.0, 0.0, 0.0]]), np.array([[-8.0, 0.0, 0.0]]), 1.0, 1.0))
    assert vetoed[0, 0] < 0.5


@pytest.fixture(scope="module")
def tiny_reference_encoder(tiny_model_dir, tmp_path_factory):
    """A tiny random MPNet (the target classifier is built from the reference encoder's upper layers)."""
    directory = tmp_path_factory.mktemp("tiny-reference")
    torch.manual_seed(2)
    config = MPNetConfig(
        vocab_size=len(WORDS) + 7, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=66, pad_token_id=0,
    )
    MPNetModel(config).save_pretrained(str(directory))
    BertTokenizerFast(vocab_file=str(tiny_model_dir / "vocab.txt")).save_pretrained(str(directory))
    return SentenceEncoder(EncoderConfig(model_dir=directory, max_length=32))


@pytest.fixture(scope="module")
def classifier_model_dir(tiny_model_dir, tiny_reference_encoder, tmp_path_factory):
    """The tiny model plus a tiny target classifier (its own copy of the reference's top 2 layers) mixed in at weight 0.5."""
    import shutil
    from dataclasses import replace

    directory = tmp_path_factory.mktemp("tiny-stance-classifier")
    shutil.copytree(tiny_model_dir, directory, dirs_exist_ok=True)
    torch.manual_seed(1)
    classifier = TargetClassifier.from_base(tiny_reference_encoder.model, trainable_layers=2, targets=1)
    with torch.no_grad():
        for parameter in classifier.layers.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))  # trained layers differ from the stock ones
    classifier.save(directory / TARGET_CLASSIFIER_DIR)
    replace(StanceSettings.read(directory), classifier_weight=0.5).write(directory)
    return directory


def test_the_target_classifier_joins_only_for_profile_claims(tiny_model_dir, classifier_model_dir, tiny_encoder, tiny_reference_encoder):
    pairs = [(PROFILE_CLAIM, "we support consent"), ("artists must pay", "the lawsuit is meritless")]
    without = StanceClassifier(tiny_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_reference_encoder)
    mixed = StanceClassifier(classifier_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_reference_encoder)
    assert without.target_classifier is None and mixed.target_classifier is not None
    stance, addressed = without.stance_and_addressed(pairs)
    classified = mixed.classifier_probs(["we support consent"])[:, 0]
    expected_stance, expected_addressed = with_target_classifier(stance[:1], addressed[:1], classified, 0.5)
    mixed_stance, mixed_addressed = mixed.stance_and_addressed(pairs)
    assert mixed_stance[0] == pytest.approx(expected_stance[0], abs=1e-5)
    assert mixed_addressed[0] == pytest.approx(expected_addressed[0], abs=1e-5)
    # A free-text claim is judged as before: the classifier only knows the profile's targets.
    assert mixed_stance[1] == pytest.approx(stance[1], abs=1e-6) and mixed_addressed[1] == pytest.approx(addressed[1], abs=1e-6)


def test_the_shared_lower_layers_leave_the_stock_reference_embedding_unchanged(classifier_model_dir, tiny_reference_encoder):
    classifier = TargetClassifier.load(classifier_model_dir / TARGET_CLASSIFIER_DIR, tiny_reference_encoder.model)
    texts = ["we support consent", "the lawsuit is meritless , the companies must pay creators for training data", "ai"]
    tiny_reference_encoder.clear_cache()
    vectors, probabilities = reference_views(tiny_reference_encoder, classifier, texts, tiny_reference_encoder.config.precision)
    assert vectors == pytest.approx(tiny_reference_encoder.encode(texts), abs=1e-5)
    assert probabilities.shape == (3, 1, len(MODEL_LABELS))
    assert probabilities.sum(axis=-1) == pytest.approx(np.ones((3, 1)), abs=1e-5)
    # The trained layers, not the stock ones, make the classifier's judgement.
    stock = TargetClassifier.from_base(tiny_reference_encoder.model, trainable_layers=2, targets=1)
    stock.head.load_state_dict(classifier.head.state_dict())
    assert not np.allclose(reference_views(tiny_reference_encoder, stock.eval(), texts)[1], probabilities, atol=1e-4)


def test_the_target_classifier_stores_only_its_trained_layers_in_half_precision_and_reloads_the_same(classifier_model_dir, tiny_reference_encoder):
    from safetensors import safe_open

    with safe_open(str(classifier_model_dir / TARGET_CLASSIFIER_DIR / TARGET_CLASSIFIER_LAYERS_FILE), framework="pt") as handle:
        assert {handle.get_tensor(name).dtype for name in handle.keys()} == {torch.float16}
        # the two trained layers only: no embeddings, no lower layers (they are the stock encoder's)
        assert {name.split(".")[0] for name in handle.keys()} == {"0", "1"}
    base = tiny_reference_encoder.model
    hidden = torch.randn(1, 4, 16)
    mask = torch.ones(1, 4, dtype=torch.long)
    first, second = (TargetClassifier.load(classifier_model_dir / TARGET_CLASSIFIER_DIR, base)(base, hidden, mask) for _ in range(2))
    assert first.shape == (1, 1, len(MODEL_LABELS))
    assert torch.allclose(first, second)


def test_with_target_classifier_is_a_weighted_geometric_mean_of_four_way_distributions():
    stance = np.array([[0.7, 0.2, 0.1]])
    addressed = np.array([0.8])
    classifier = np.array([[0.1, 0.6, 0.1, 0.2]])
    same_stance, same_addressed = with_target_classifier(stance, addressed, classifier, 0.0)
    assert same_stance == pytest.approx(stance) and same_addressed == pytest.approx(addressed)
    only_stance, only_addressed = with_target_classifier(stance, addressed, classifier, 1.0)
    assert only_stance[0] == pytest.approx([0.125, 0.75, 0.125]) and only_addressed == pytest.approx([0.8])
    half_stance, _ = with_target_classifier(stance, addressed, classifier, 0.5)
    assert half_stance.sum() == pytest.approx(1.0)
    assert half_stance[0, 1] > stance[0, 1]  # the classifier's against pulls the mix towards against


def test_a_model_folder_without_the_reference_head_is_refused(tiny_model_dir, tmp_path, tiny_encoder):
    import shutil

    partial = tmp_path / "partial"
    shutil.copytree(tiny_model_dir, partial)
    (partial / "reference_head.safetensors").unlink()
    with pytest.raises(StanceModelUnavailable, match="reference_head.safetensors missing"):
        StanceClassifier(partial, claim_encoder=tiny_encoder, reference_encoder=tiny_encoder)


def test_a_model_folder_without_target_heads_is_refused(tiny_model_dir, tmp_path, tiny_encoder):
    import shutil

    partial = tmp_path / "no-targets"
    shutil.copytree(tiny_model_dir, partial)
    (partial / "target_heads.safetensors").unlink()
    with pytest.raises(StanceModelUnavailable, match="target_heads.safetensors missing"):
        tiny_classifier_for(partial, tiny_encoder)


def test_label_is_uncertain_below_the_threshold(tiny_model_dir, tiny_encoder):
    strict = StanceClassifier(tiny_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_encoder, threshold=1.01)
    lenient = StanceClassifier(tiny_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_encoder, threshold=0.0)
    pair = ("we support consent", "ai companies must pay creators", "consent")
    assert strict.predict(*pair).label == "uncertain"
    lenient_judgement = lenient.predict(*pair)
    assert lenient_judgement.label == max(lenient_judgement.probs, key=lenient_judgement.probs.get)


def test_temperature_flattens_probabilities():
    logits = np.array([[2.0, -1.0, 0.5]])
    sharp, flat = softmax(logits, 1.0), softmax(logits, 4.0)
    assert flat.max() < sharp.max()
    assert np.argmax(flat) == np.argmax(sharp)


def test_fit_temperature_recovers_overconfidence():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(3000, 3))
    probs = softmax(true_logits)
    gold = [LABELS[rng.choice(3, p=p)] for p in probs]
    # A model three times too confident: the fitted temperature should undo it.
    assert fit_temperature(true_logits * 3.0, gold) == pytest.approx(3.0, rel=0.15)


def test_missing_model_is_reported_clearly(tmp_path):
    with pytest.raises(StanceModelUnavailable, match="train_stance.py"):
        StanceClassifier(tmp_path)


def test_judgement_from_probs_applies_threshold():
    assert judgement_from_probs([0.7, 0.2, 0.1], "consent", 0.5).label == "favor"
    assert judgement_from_probs([0.45, 0.35, 0.2], "consent", 0.5).label == "uncertain"


def _judgement(target: str, favor: float, against: float, neutral: float, addressed: float | None = None) -> StanceJudgement:
    probs = {"favor": favor, "against": against, "neutral": neutral}
    return StanceJudgement(target_id=target, label=max(probs, key=probs.get), probs=probs, confidence=max(probs.values()), addressed=addressed)


def test_article_aggregate_is_per_target_and_confidence_weighted():
    judgements = [
        _judgement("consent", 0.9, 0.05, 0.05),
        _judgement("consent", 0.4, 0.3, 0.3),
        _judgement("litigation", 0.1, 0.8, 0.1),
    ]
    by_target = {j.target_id: j for j in aggregate_stance(judgements)}
    assert by_target["consent"].label == "favor"
    assert by_target["litigation"].label == "against"
    assert sum(by_target["consent"].probs.values()) == pytest.approx(1.0, abs=1e-3)


def test_aggregate_names_the_quotes_that_carried_it_and_weighs_by_addressed():
    judgements = [
        _judgement("consent", 0.9, 0.05, 0.05, addressed=0.95),
        _judgement("consent", 0.05, 0.9, 0.05, addressed=0.1),
        _judgement("consent", 0.8, 0.1, 0.1, addressed=0.9),
    ]
    [aggregate] = aggregate_stance(judgements, positions=[3, 7, None])
    # The barely related "against" passage hardly counts; the lead agreed with quote 3.
    assert aggregate.label == "favor"
    assert aggregate.quote_positions == [3]
    assert aggregate.from_text is True
    assert aggregate.addressed == pytest.approx(0.95)


def test_article_aggregate_of_opposite_quotes_is_uncertain():
    judgements = [_judgement("consent", 0.85, 0.1, 0.05), _judgement("consent", 0.1, 0.85, 0.05)]
    [aggregate] = aggregate_stance(judgements)
    assert aggregate.label == "uncertain"


def test_cli_reports_bad_lines_and_goes_on(tiny_classifier):
    targets = {"consent": "ai companies must pay creators", "litigation": "the lawsuit is meritless"}
    lines = io.StringIO(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "we support consent", "target_id": "consent"}),
                "not json",
                json.dumps({"id": "b", "text": "voice", "target": "artists must pay"}),
                json.dumps({"id": "c", "text": "we support consent", "target_id": "nope"}),
                json.dumps({"id": "d", "text": "the ai companies"}),
            ]
        )
    )
    out = io.StringIO()
    failures = run_stance(lines, out, tiny_classifier, targets)
    assert all(0.0 <= json.loads(line).get("addressed", 0.5) <= 1.0 for line in out.getvalue().splitlines())
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert failures == 2
    good = [r for r in records if "error" not in r]
    assert [(r["id"], r["target_id"]) for r in good] == [("a", "consent"), ("b", "custom"), ("d", "consent"), ("d", "litigation")]
    assert all(set(r["probs"]) == set(LABELS) for r in good)
    errors = [r["error"]["message"] for r in records if "error" in r]
    assert any("not valid JSON" in e for e in errors) and any("unknown target_id" in e for e in errors)


@pytest.mark.fault
def test_cli_keeps_the_batch_when_one_line_is_not_utf8_or_holds_a_lone_surrogate(tiny_classifier):
    targets = {"consent": PROFILE_CLAIM}
    lines = io.BytesIO(
        json.dumps({"id": "a", "text": "we support consent"}).encode() + b"\n"
        + b'{"id": "bad-bytes", "text": "caf\xe9"}\n'
        + b'{"id": "surrogate", "text": "x \\ud800 y"}\n'
        + json.dumps({"id": "b", "text": "the lawsuit is meritless"}).encode() + b"\n"
    )
    out = io.StringIO()
    failures = run_stance(io.TextIOWrapper(lines), out, tiny_classifier, targets)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert failures == 2
    assert [r["id"] for r in records if "error" not in r] == ["a", "b"]
    assert {r["error"]["type"] for r in records if "error" in r} == {"InvalidEncoding"}


def test_cli_addressed_prints_only_addressed_targets(tiny_model_dir, tiny_encoder):
    targets = {"consent": PROFILE_CLAIM, "litigation": "the lawsuit is meritless"}
    line = json.dumps({"id": "d", "text": "the ai companies"}) + "\n"
    everything, addressed_only = io.StringIO(), io.StringIO()
    run_stance(io.StringIO(line), everything, tiny_classifier_for(tiny_model_dir, tiny_encoder, addressed_threshold=0.0), targets, addressed_only=True)
    run_stance(io.StringIO(line), addressed_only, tiny_classifier_for(tiny_model_dir, tiny_encoder, addressed_threshold=1.01), targets, addressed_only=True)
    assert len(everything.getvalue().splitlines()) == 2
    assert addressed_only.getvalue() == ""


def test_bf16_inference_agrees_with_fp32_and_returns_fp32(tiny_model_dir, classifier_model_dir, tiny_reference_encoder):
    texts = ["we support consent", "the lawsuit is meritless", "ai companies must pay creators for training data"]
    fp32, bf16 = (
        SentenceEncoder(EncoderConfig(model_dir=tiny_model_dir, max_length=32, cache_size=0, precision=precision)).encode(texts)
        for precision in ("fp32", "bf16")
    )
    assert bf16.dtype == np.float32
    assert (fp32 * bf16).sum(axis=1).min() > 0.99
    encoder = SentenceEncoder(EncoderConfig(model_dir=tiny_model_dir, max_length=32, cache_size=0, precision="fp32"))
    reference = SentenceEncoder(EncoderConfig(model_dir=tiny_reference_encoder.config.model_dir, max_length=32, cache_size=0, precision="fp32"))
    pairs = [(PROFILE_CLAIM, text) for text in texts]
    exact, fast = (
        StanceClassifier(classifier_model_dir, claim_encoder=encoder, reference_encoder=reference, precision=precision).full_probabilities(pairs)
        for precision in ("fp32", "bf16")
    )
    assert fast.dtype == exact.dtype and np.abs(fast - exact).max() < 0.03


def test_classifier_training_reads_cached_lower_layers_that_match_the_inference_pass(tiny_reference_encoder):
    from newswatch_lab.stance_classifier_training import ClassifierConfig, cached_probabilities, fit_classifier, lower_layer_cache

    examples = [("we support consent", [0]), ("the lawsuit is meritless", [1]), ("ai companies must pay creators", [0]), ("voice", [3])] * 2
    config = ClassifierConfig(trainable_layers=2, epochs=2, batch_size=4, threads=1, precision="fp32")
    before = tiny_reference_encoder.model.encoder.layer[-1].output.dense.weight.detach().clone()
    classifier, history = fit_classifier(tiny_reference_encoder, examples, examples[:4], targets=1, config=config)
    assert [row["epoch"] for row in history] == [1, 2] and classifier.split_layer == 1
    # the classifier's own layers learnt; the stock encoder's stayed as they were
    stock_top = tiny_reference_encoder.model.encoder.layer[-1].state_dict()
    assert any(not torch.equal(stock_top[name], value) for name, value in classifier.layers[-1].state_dict().items())
    assert torch.equal(stock_top["output.dense.weight"], before)
    texts = [text for text, _ in examples[:4]]
    cache = lower_layer_cache(tiny_reference_encoder, texts, classifier.split_layer, "fp32")
    trained_on = cached_probabilities(classifier, tiny_reference_encoder.model, cache, texts, "fp32")
    # the cache keeps bf16 hidden states: what training saw differs from inference by rounding only
    assert trained_on == pytest.approx(reference_views(tiny_reference_encoder, classifier, texts)[1], abs=0.02)


def test_statement_views_are_cached_by_content(classifier_model_dir, tiny_encoder, tiny_reference_encoder, monkeypatch):
    import newswatch.enrichment.stance as stance_module

    model = StanceClassifier(classifier_model_dir, claim_encoder=tiny_encoder, reference_encoder=tiny_reference_encoder)
    computed = []
    real = stance_module.reference_views
    monkeypatch.setattr(stance_module, "reference_views", lambda encoder, classifier, texts, precision: computed.append(list(texts)) or real(encoder, classifier, texts, precision))
    pairs = [(PROFILE_CLAIM, "we support consent"), (PROFILE_CLAIM, "the lawsuit is meritless")]
    first = model.full_probabilities(pairs)
    again = model.full_probabilities(list(reversed(pairs)) + [(PROFILE_CLAIM, "voice")])
    assert computed == [["we support consent", "the lawsuit is meritless"], ["voice"]]
    assert again[:2] == pytest.approx(first[::-1], abs=1e-6)
    model.clear_cache()
    model.full_probabilities(pairs[:1])
    assert computed[-1] == ["we support consent"]
