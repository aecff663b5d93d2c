"""Training the stance model (``scripts/train_stance.py`` is the command; this is the logic).

Data
- IBM Claim Stance, train split only, 5 of its 25 motions held out as a dev set. Each claim
  is paired with several claims whose label follows from IBM's annotations: the motion
  itself, its negation (label flipped), and templated claims about the motion's target and
  about the claim's own target ("X is harmful", "We should support X"), whose label is the
  product of the claim's attitude and the template's direction. One statement thus teaches
  the model that the label depends on which way the claim points, not on the statement alone.
- The in-domain set (``datasets/stance``), train split, paired with the profile claim and
  a few paraphrases; neutral statements are also neutral towards the other targets' claims.

Objective: cross-entropy over (favor, against, neutral) for every pair, each statement's
pairs weighted to sum to one (no class weights: negations and templates come in both
directions, and the in-domain set has about a third of each label), plus two auxiliary
losses that tie factor 0 of the head to known directions: the statement factor predicts
an IBM claim's sentiment towards its own target, the claim factor predicts which way a
claim points (IBM motions, templates, profile claims and paraphrases, and their negations).

Both experts (see ``newswatch.enrichment.stance``) are trained on the same data and objective: the
tuned expert fine-tunes MiniLM's upper layers with a warm-up/decay schedule; the reference
expert trains only its head over frozen mpnet embeddings (computed once, so its 30 epochs
take seconds). For each, the epoch with the best dev score is kept and a temperature is
fitted on dev; a last temperature is fitted on dev for their combination.
"""
from __future__ import annotations

import csv
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from newswatch.core.numeric import log_softmax, softmax
from newswatch_lab.stance_data import (
    FLIP,
    LABELS,
    StanceExample,
    file_sha256,
    label_counts,
    load_ibm_claim_stance,
    load_in_domain,
    negate_claim,
    profile_claims,
    score_predictions,
)

log = logging.getLogger(__name__)

POSITIVE_TEMPLATES = (
    "{X} is good.",
    "We should support {x}.",
    "{X} is beneficial.",
    "{X} should be encouraged.",
    "{X} is justified.",
    "{X} deserves our support.",
    "We should promote {x}.",
    "{X} is a positive thing.",
)
NEGATIVE_TEMPLATES = (
    "{X} is bad.",
    "We should oppose {x}.",
    "{X} is harmful.",
    "{X} should be banned.",
    "{X} is unjustified.",
    "{X} should be restricted.",
    "We should reject {x}.",
    "{X} is a negative thing.",
)

# Other wordings of the profile's claims, so that a free-text target phrased differently
# from the profile is not a new world to the model. Written for this project.
CLAIM_PARAPHRASES: dict[str, tuple[str, ...]] = {
    "consent": (
        "Artists should have to give permission before their work is used to train AI.",
        "Training AI on creative work without the creator's permission is wrong.",
    ),
    "compensation": (
        "Artists deserve payment when AI companies train on their work.",
        "AI developers should license and pay for the creative works they train on.",
    ),
    "litigation": (
        "Creators are right to sue AI companies for training on their work.",
        "Copyright lawsuits against AI developers are justified.",
    ),
    "platform_terms": (
        "Online platforms should not use uploaded content for AI training without users' permission.",
        "Users must be able to opt out before a platform trains AI on their posts.",
    ),
    "transparency": (
        "AI developers should publish the sources of their training data.",
        "The contents of AI training datasets should be made public.",
    ),
    "voice_likeness": (
        "AI should not clone someone's voice or face without their consent.",
        "Digital replicas of performers require the performer's permission.",
    ),
}


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 8
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    rank: int = 4
    aux_weight: float = 2.0
    frozen_layers: int = 2
    max_length: int = 128
    dev_topic_every: int = 5
    templates_per_target: int = 4
    in_domain_repeats: int = 2
    direction_sample: int = 256
    reference_rank: int = 2
    reference_epochs: int = 30
    reference_dropout: float = 0.3
    seed: int = 13
    threads: int = 2
    report_test_each_epoch: bool = True


@dataclass
class TrainingItem:
    """One statement with every claim it is paired with and the label for each."""

    text: str
    views: list[tuple[str, str]]
    sentiment: int = 0  # IBM: the claim's sentiment towards its own target (+1/-1), else 0
    source: str = "ibm"


@dataclass(frozen=True)
class IbmAnnotation:
    topic_target: str
    topic_sentiment: int
    claim_target: str
    claim_sentiment: int  # 0 where IBM left it blank


def load_ibm_annotations(dataset_dir: Path) -> dict[str, IbmAnnotation]:
    """Claim id -> IBM's fine-grained annotation (``claim_stance_full.csv``)."""
    annotations = {}
    with (dataset_dir / "claim_stance_full.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            annotations[f"ibm-{row['claims.claimId']}"] = IbmAnnotation(
                topic_target=row["topicTarget"],
                topic_sentiment=int(row["topicSentiment"]),
                claim_target=row["claims.claimTarget.text"],
                claim_sentiment=int(row["claims.claimSentiment"] or 0),
            )
    return annotations


def fill_template(template: str, phrase: str) -> str:
    return template.replace("{X}", phrase[:1].upper() + phrase[1:]).replace("{x}", phrase)


def split_ibm_train(examples: list[StanceExample], every: int) -> tuple[list[StanceExample], list[StanceExample]]:
    """(train, dev) from IBM's train split: every ``every``-th motion (by id) is dev."""
    train_split = [e for e in examples if e.split == "train"]
    groups = sorted({e.group for e in train_split}, key=lambda g: int(g.rsplit("-", 1)[-1]))
    dev_groups = set(groups[::every]) if every else set()
    return [e for e in train_split if e.group not in dev_groups], [e for e in train_split if e.group in dev_groups]


def _templated_views(phrase: str, attitude: int, count: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(claim, label, direction) for ``count`` templates about ``phrase``, half each way."""
    views = []
    for templates, direction in ((POSITIVE_TEMPLATES, 1), (NEGATIVE_TEMPLATES, -1)):
        for template in rng.sample(templates, count // 2):
            label = "favor" if attitude * direction > 0 else "against"
            views.append((fill_template(template, phrase), label, direction))
    return views


def ibm_items(
    examples: list[StanceExample], annotations: dict[str, IbmAnnotation], templates: int, rng: random.Random
) -> tuple[list[TrainingItem], dict[str, int]]:
    """Training items from IBM claims, and the direction (+1/-1) of every claim used."""
    items, directions = [], {}
    for example in examples:
        note = annotations[example.id]
        stance = 1 if example.label == "favor" else -1
        negated = negate_claim(example.claim)
        views = [(example.claim, example.label), (negated, FLIP[example.label])]
        directions[example.claim] = note.topic_sentiment
        directions[negated] = -note.topic_sentiment
        # The claim's attitude to the motion's target: a pro claim on "ban X" is against X.
        templated = _templated_views(note.topic_target, stance * note.topic_sentiment, templates, rng)
        if note.claim_sentiment:
            templated += _templated_views(note.claim_target, note.claim_sentiment, templates, rng)
        for claim, label, direction in templated:
            views.append((claim, label))
            directions[claim] = direction
        items.append(TrainingItem(example.text, views, note.claim_sentiment, "ibm"))
    return items, directions


def in_domain_items(examples: list[StanceExample], claims_by_target: dict[str, str]) -> list[TrainingItem]:
    """Each statement with its target's claim and paraphrases (same label).

    No negated claims here: the frozen claim embedding of "X must happen" and "X need not
    happen" are nearly the same vector, so a flipped label on it reads as noise and kept
    the model from learning the statements (in-domain-only development runs, 6-8 epochs:
    held-out macro-F1 0.57 with negations, 0.79 without). Which way a claim points is
    still taught, by the direction loss on the claims and their negations.
    """
    items = []
    for example in examples:
        views = [(claim, example.label) for claim in (example.claim, *CLAIM_PARAPHRASES.get(example.group, ()))]
        if example.label == "neutral":
            # Procedural news is neutral towards every claim of the topic, not just its own.
            views += [(claim, "neutral") for target, claim in claims_by_target.items() if target != example.group]
        items.append(TrainingItem(example.text, views, 0, "in-domain"))
    return items


def fit_temperature(logits: np.ndarray, gold: list[str]) -> float:
    """The temperature minimising held-out negative log-likelihood (grid search, deterministic)."""
    index = np.array([LABELS.index(label) for label in gold])
    best_t, best_nll = 1.0, math.inf
    for temperature in np.exp(np.linspace(math.log(0.2), math.log(10.0), 300)):
        nll = -log_softmax(logits, temperature)[np.arange(len(index)), index].mean()
        if nll < best_nll:
            best_t, best_nll = float(temperature), float(nll)
    return best_t


@dataclass
class TrainingData:
    items: list[TrainingItem]
    directions: dict[str, int]
    dev: dict[str, list[StanceExample]]
    test: dict[str, list[StanceExample]]
    sources: dict[str, dict] = field(default_factory=dict)


def build_training_data(ibm_dir: Path, in_domain_path: Path, config: TrainConfig) -> TrainingData:
    rng = random.Random(config.seed)
    ibm = load_ibm_claim_stance(ibm_dir)
    ibm_train, ibm_dev = split_ibm_train(ibm, config.dev_topic_every)
    items, directions = ibm_items(ibm_train, load_ibm_annotations(ibm_dir), config.templates_per_target, rng)
    claims_by_target = profile_claims()
    in_domain = load_in_domain(in_domain_path, claims_by_target)
    by_split = {split: [e for e in in_domain if e.split == split] for split in ("train", "dev", "test")}
    for claim in (*claims_by_target.values(), *(c for wordings in CLAIM_PARAPHRASES.values() for c in wordings)):
        directions[claim] = 1
        directions[negate_claim(claim)] = -1
    # The in-domain set is small next to IBM's claims; repeating it balances their pull.
    items += in_domain_items(by_split["train"], claims_by_target) * config.in_domain_repeats
    sources = {
        "ibm_claim_stance": {
            "file": "claim_stance.jsonl + claim_stance_full.csv",
            "sha256": {
                name: file_sha256(ibm_dir / name) for name in ("claim_stance.jsonl", "claim_stance_full.csv")
            },
            "train_claims": len(ibm_train),
            "train_motions": len({e.group for e in ibm_train}),
            "dev_claims": len(ibm_dev),
            "dev_motions": sorted({e.claim for e in ibm_dev}),
            "test_claims": sum(e.split == "test" for e in ibm),
        },
        "in_domain": {
            "file": str(in_domain_path.name),
            "sha256": file_sha256(in_domain_path),
            **{f"{split}_labels": label_counts(rows) for split, rows in by_split.items()},
        },
        "training_pairs": sum(len(item.views) for item in items),
        "training_statements": len(items),
        "in_domain_repeats": config.in_domain_repeats,
    }
    return TrainingData(
        items=items,
        directions=directions,
        dev={"ibm": ibm_dev, "in_domain": by_split["dev"]},
        test={"ibm": [e for e in ibm if e.split == "test"], "in_domain": by_split["test"]},
        sources=sources,
    )


class _FrozenVectors:
    """Stock sentence-encoder embeddings of claims and statements, computed once per distinct text."""

    def __init__(self, encoder, texts: list[str]):
        unique = list(dict.fromkeys(texts))
        self.index = {text: i for i, text in enumerate(unique)}
        self.vectors = torch.from_numpy(encoder.encode(unique))

    def __call__(self, texts: list[str]) -> torch.Tensor:
        return self.vectors[[self.index[text] for text in texts]]


def _every_text(data: TrainingData) -> list[str]:
    """Each statement and claim the training and evaluation sets use."""
    texts = [text for item in data.items for text in (item.text, *(claim for claim, _ in item.views))]
    texts += [text for rows in (*data.dev.values(), *data.test.values()) for e in rows for text in (e.text, e.claim)]
    return texts + list(data.directions)


@dataclass
class ExpertFit:
    """One trained expert: its best epoch's logits on dev and test, and its calibration."""

    best_epoch: int
    history: list[dict]
    temperature: float
    dev_logits: dict[str, np.ndarray]
    test_logits: dict[str, np.ndarray]


def _score_sets(logits_by_set: dict[str, np.ndarray], rows_by_set: dict[str, list[StanceExample]], temperature: float = 1.0) -> dict:
    return {
        name: score_predictions([e.label for e in rows], softmax(logits_by_set[name], temperature), name == "ibm", 0.5)
        for name, rows in rows_by_set.items()
    }


def _fit_expert(
    name: str,
    data: TrainingData,
    modules: list[torch.nn.Module],
    optimizer: torch.optim.Optimizer,
    scheduler,
    epochs: int,
    batch_loss,
    logits_of,
    config: TrainConfig,
    rng: random.Random,
    clipped: list[torch.nn.Parameter] | None = None,
) -> ExpertFit:
    """Train ``epochs`` epochs, keep the one with the best mean dev macro-F1 (weights restored), calibrate on dev.

    Gradients of ``clipped`` parameters (the fine-tuned transformer's) are clipped to norm 1.
    """
    started = time.perf_counter()
    history, best = [], None

    def evaluate(rows_by_set: dict[str, list[StanceExample]]) -> dict[str, np.ndarray]:
        with torch.inference_mode():
            return {set_name: logits_of(rows) for set_name, rows in rows_by_set.items()}

    def set_training(training: bool) -> None:
        for module in modules:
            module.train(training)

    for epoch in range(epochs):
        set_training(True)
        order = list(range(len(data.items)))
        rng.shuffle(order)
        epoch_loss, steps = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            loss = batch_loss([data.items[i] for i in order[start : start + config.batch_size]])
            optimizer.zero_grad()
            loss.backward()
            if clipped:
                torch.nn.utils.clip_grad_norm_(clipped, 1.0)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            epoch_loss += float(loss.detach())
            steps += 1
        set_training(False)
        dev_logits = evaluate(data.dev)
        scores = {set_name: score["macro_f1"] for set_name, score in _score_sets(dev_logits, data.dev).items()}
        history.append({"epoch": epoch + 1, "loss": round(epoch_loss / max(steps, 1), 4), "dev_macro_f1": scores, "seconds": round(time.perf_counter() - started, 1)})
        if config.report_test_each_epoch:
            # Reported only (training curves in metrics.json); selection uses dev alone.
            history[-1]["test_macro_f1"] = {n: score["macro_f1"] for n, score in _score_sets(evaluate(data.test), data.test).items()}
        log.info("%s expert, epoch %d: %s", name, epoch + 1, history[-1])
        print(f"{name} expert, epoch {epoch + 1}/{epochs}: {history[-1]}", flush=True)
        selection = float(np.mean(list(scores.values())))
        if best is None or selection > best[0]:
            best = (selection, epoch + 1, [_snapshot(module) for module in modules], dev_logits)
    _, best_epoch, states, dev_logits = best
    for module, state in zip(modules, states):
        module.load_state_dict(state)
    set_training(False)
    gold = [e.label for rows in data.dev.values() for e in rows]
    temperature = fit_temperature(np.concatenate([dev_logits[set_name] for set_name in data.dev]), gold)
    return ExpertFit(best_epoch, history, temperature, dev_logits, evaluate(data.test))


def _direction_tensors(data: TrainingData) -> tuple[list[str], torch.Tensor]:
    """Every claim with a known direction, and those directions (+1/-1) as a tensor, for the direction loss."""
    claims = list(data.directions)
    return claims, torch.tensor([float(data.directions[claim]) for claim in claims])


def _fit_tuned_expert(data: TrainingData, config: TrainConfig, base_model_dir: Path, claim_encoder, rng: random.Random):
    """The fine-tuned MiniLM statement encoder and its head; returns (encoder, head, tokenizer, fit)."""
    from transformers import AutoModel, AutoTokenizer

    from newswatch.enrichment.stance import StanceHead, StatementEncoder

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir), local_files_only=True)
    encoder = StatementEncoder(AutoModel.from_pretrained(str(base_model_dir), local_files_only=True))
    _freeze_lower_layers(encoder, config.frozen_layers)
    head = StanceHead(encoder.dimension, claim_encoder.dimension, config.rank)
    frozen = _FrozenVectors(claim_encoder, _every_text(data))
    direction_claims, direction_targets = _direction_tensors(data)
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in encoder.parameters() if p.requires_grad], "lr": config.lr},
            {"params": list(head.parameters()), "lr": config.head_lr},
        ],
        weight_decay=config.weight_decay,
    )
    total_steps = math.ceil(len(data.items) / config.batch_size) * config.epochs
    warmup = max(1, total_steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / max(1, total_steps - warmup)))
    )

    def encode(texts: list[str]) -> torch.Tensor:
        tokens = tokenizer(texts, padding=True, truncation=True, max_length=config.max_length, return_tensors="pt")
        return encoder(tokens["input_ids"], tokens["attention_mask"])

    def logits_of(rows: list[StanceExample]) -> np.ndarray:
        out = []
        for i in range(0, len(rows), 64):
            texts = [e.text for e in rows[i : i + 64]]
            out.append(head(encode(texts), frozen(texts), frozen([e.claim for e in rows[i : i + 64]])))
        return torch.cat(out).numpy()

    def batch_loss(batch: list[TrainingItem]) -> torch.Tensor:
        texts = [item.text for item in batch]
        return _batch_loss(batch, encode(texts), frozen(texts), head, frozen, direction_claims, direction_targets, config, rng)

    fit = _fit_expert(
        "tuned", data, [encoder, head], optimizer, scheduler, config.epochs, batch_loss, logits_of, config, rng,
        clipped=[p for p in encoder.parameters() if p.requires_grad],
    )
    return encoder, head, tokenizer, fit


def _fit_reference_expert(data: TrainingData, config: TrainConfig, reference_encoder, rng: random.Random):
    """A head over frozen reference-encoder (mpnet) embeddings of statement and claim; returns (head, fit)."""
    from newswatch.enrichment.stance import StanceHead

    head = StanceHead(reference_encoder.dimension, reference_encoder.dimension, config.reference_rank, dropout=config.reference_dropout)
    frozen = _FrozenVectors(reference_encoder, _every_text(data))
    direction_claims, direction_targets = _direction_tensors(data)
    optimizer = torch.optim.AdamW(head.parameters(), lr=config.head_lr, weight_decay=config.weight_decay)

    def logits_of(rows: list[StanceExample]) -> np.ndarray:
        statements = frozen([e.text for e in rows])
        return head(statements, statements, frozen([e.claim for e in rows])).numpy()

    def batch_loss(batch: list[TrainingItem]) -> torch.Tensor:
        statements = frozen([item.text for item in batch])
        return _batch_loss(batch, statements, statements, head, frozen, direction_claims, direction_targets, config, rng)

    fit = _fit_expert("reference", data, [head], optimizer, None, config.reference_epochs, batch_loss, logits_of, config, rng)
    return head, fit


def train_stance_model(
    data: TrainingData, config: TrainConfig, base_model_dir: Path, claim_encoder, reference_encoder, out_dir: Path
) -> dict:
    """Fit both experts (best epoch each on dev), calibrate their combination on dev, save to ``out_dir``; returns metrics."""
    import transformers

    from newswatch.enrichment.stance import (
        StanceSettings,
        combined_log_probs,
        save_stance_model,
    )

    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    started = time.perf_counter()
    try:
        encoder, head, tokenizer, tuned = _fit_tuned_expert(data, config, base_model_dir, claim_encoder, rng)
        reference_head, reference = _fit_reference_expert(data, config, reference_encoder, rng)
    finally:
        torch.set_num_threads(previous_threads)
    train_seconds = time.perf_counter() - started

    def combined(tuned_logits: dict[str, np.ndarray], reference_logits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            name: combined_log_probs(tuned_logits[name], reference_logits[name], tuned.temperature, reference.temperature)
            for name in tuned_logits
        }

    dev_combined = combined(tuned.dev_logits, reference.dev_logits)
    gold = [e.label for rows in data.dev.values() for e in rows]
    ensemble_temperature = fit_temperature(np.concatenate([dev_combined[name] for name in data.dev]), gold)
    settings = StanceSettings(
        rank=config.rank,
        statement_dim=encoder.dimension,
        claim_dim=claim_encoder.dimension,
        temperature=round(tuned.temperature, 4),
        max_length=config.max_length,
        reference_rank=config.reference_rank,
        reference_dim=reference_encoder.dimension,
        reference_temperature=round(reference.temperature, 4),
        ensemble_temperature=round(ensemble_temperature, 4),
    )
    save_stance_model(out_dir, encoder, head, reference_head, tokenizer, settings)
    return {
        "config": asdict(config),
        "software": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "base_model": str(base_model_dir.name),
            "reference_model": str(reference_encoder.config.model_dir.name),
        },
        "data": data.sources,
        "temperature": settings.temperature,
        "reference_temperature": settings.reference_temperature,
        "ensemble_temperature": settings.ensemble_temperature,
        "train_seconds": round(train_seconds, 1),
        "experts": {
            name: {
                "best_epoch": fit.best_epoch,
                "history": fit.history,
                "dev": _score_sets(fit.dev_logits, data.dev, fit.temperature),
                "test": _score_sets(fit.test_logits, data.test, fit.temperature),
            }
            for name, fit in (("tuned", tuned), ("reference", reference))
        },
        "dev": _score_sets(dev_combined, data.dev, settings.ensemble_temperature),
        "test": _score_sets(combined(tuned.test_logits, reference.test_logits), data.test, settings.ensemble_temperature),
        "weights_bytes": sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file()),
    }


def _freeze_lower_layers(encoder, frozen_layers: int) -> None:
    """Freeze embeddings and the first ``frozen_layers`` transformer layers (faster, less overfitting)."""
    if frozen_layers <= 0:
        return
    transformer = encoder.transformer
    for parameter in transformer.embeddings.parameters():
        parameter.requires_grad = False
    for layer in transformer.encoder.layer[:frozen_layers]:
        for parameter in layer.parameters():
            parameter.requires_grad = False


def _snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def _batch_loss(batch, statements, base_statements, head, claims, direction_claims, direction_targets, config, rng) -> torch.Tensor:
    rows, pair_claims, labels, weights = [], [], [], []
    for i, item in enumerate(batch):
        for claim, label in item.views:
            rows.append(i)
            pair_claims.append(claim)
            labels.append(LABELS.index(label))
            weights.append(1.0 / len(item.views))
    logits = head(statements[rows], base_statements[rows], claims(pair_claims))
    per_pair = torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction="none")
    loss = (per_pair * torch.tensor(weights)).sum() / len(batch)
    if config.aux_weight:
        # Factor 0 = (statement's sentiment towards its target) x (claim's direction).
        statement_factors, _ = head.factors(statements, base_statements, claims(pair_claims[:1]))
        sentiments = torch.tensor([float(item.sentiment) for item in batch])
        known = sentiments != 0
        aux = torch.zeros(())
        if known.any():
            aux = aux + torch.nn.functional.softplus(-statement_factors[known, 0] * sentiments[known]).mean()
        sample = rng.sample(range(len(direction_claims)), min(config.direction_sample, len(direction_claims)))
        _, claim_factors = head.factors(statements[:1], base_statements[:1], claims([direction_claims[i] for i in sample]))
        aux = aux + torch.nn.functional.softplus(-claim_factors[:, 0] * direction_targets[sample]).mean()
        loss = loss + config.aux_weight * aux
    return loss
