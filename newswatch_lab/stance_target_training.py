"""Training of the stance model's target heads (``newswatch.enrichment.stance.TargetHead``), reproducible.

The heads read frozen embeddings (mpnet and MiniLM of the statement, mpnet of the claim),
so every statement is encoded once and the heads train in about a minute. They learn from:

- **grounded statements** (``datasets/stance-grounded``, train split): renderings of real
  public statements, each labelled against every profile target; this is what teaches
  ``not_addressed`` and the positions real speakers take;
- **the in-domain set** (train split): one target per statement, always addressed;
- **IBM Claim Stance** (train motions minus every fifth): pro/con claims, and each of half
  of them paired with another motion as ``not_addressed``.

Several heads are trained from different seeds and averaged. Two numbers are then chosen
on dev (never on a test split): the weight of the heads' stance in the combination with
the experts (``target_weight``: the best mean of grounded-dev stance macro-F1 and in-domain
dev macro-F1) and the ``addressed_threshold`` (the best grounded-dev addressed F1).
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from newswatch.core.numeric import softmax
from newswatch.enrichment.model_service import SentenceEncoder
from newswatch.enrichment.stance import (
    StanceSettings,
    TargetHead,
    combined_log_probs,
    save_target_heads,
    with_target_heads,
)
from newswatch_lab.stance_data import (
    CONTRAST_TRAINING_PATHS,
    GROUNDED_PATH,
    IN_DOMAIN_PATH,
    MODEL_LABELS,
    StanceExample,
    file_sha256,
    files_sha256,
    grounded_examples,
    label_counts,
    load_contrast_training,
    load_grounded,
    load_ibm_claim_stance,
    load_in_domain,
    profile_claims,
    score_grounded,
    score_predictions,
)

WEIGHT_GRID = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0)
ADDRESSED_GRID = tuple(round(t, 2) for t in np.arange(0.2, 0.71, 0.05))


@dataclass(frozen=True)
class TargetConfig:
    heads: int = 5
    epochs: int = 30
    hidden: int = 256
    dropout: float = 0.3
    lr: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 256
    ibm_negative_share: float = 0.5
    dev_topic_every: int = 5
    seed: int = 13


@dataclass
class TargetData:
    train: list[StanceExample]
    dev: dict[str, list[StanceExample]]
    sources: dict


def ibm_not_addressed(examples: list[StanceExample], share: float, rng: random.Random) -> list[StanceExample]:
    """IBM claims paired with another motion's claim: a statement about boxing does not address school uniforms."""
    claims = sorted({e.claim for e in examples})
    chosen = rng.sample(examples, int(len(examples) * share))
    return [
        StanceExample(id=f"{e.id}:other", claim=rng.choice([c for c in claims if c != e.claim]), text=e.text, label="not_addressed", split=e.split, group=e.group)
        for e in chosen
    ]


def build_target_data(
    ibm_dir: Path,
    config: TargetConfig,
    grounded_path: Path = GROUNDED_PATH,
    in_domain_path: Path = IN_DOMAIN_PATH,
    contrast_training_paths: Sequence[Path] = CONTRAST_TRAINING_PATHS,
) -> TargetData:
    from newswatch_lab.stance_training import split_ibm_train

    rng = random.Random(config.seed)
    claims = profile_claims()
    grounded = load_grounded(grounded_path, set(claims))
    grounded_by_split = {split: grounded_examples(grounded, claims, split) for split in ("train", "dev")}
    contrast_training = grounded_examples(load_contrast_training(contrast_training_paths, set(claims)), claims)
    in_domain = load_in_domain(in_domain_path, claims)
    ibm_train, ibm_dev = split_ibm_train(load_ibm_claim_stance(ibm_dir), config.dev_topic_every)
    train = grounded_by_split["train"] + contrast_training + [e for e in in_domain if e.split == "train"] + ibm_train + ibm_not_addressed(ibm_train, config.ibm_negative_share, rng)
    return TargetData(
        train=train,
        dev={"grounded": grounded_by_split["dev"], "in_domain": [e for e in in_domain if e.split == "dev"], "ibm": ibm_dev},
        sources={
            "grounded": {"file": grounded_path.name, "sha256": file_sha256(grounded_path), **{f"{s}_labels": label_counts(r) for s, r in grounded_by_split.items()}},
            "contrast_training": {"sha256": files_sha256(contrast_training_paths), "labels": label_counts(contrast_training)},
            "in_domain_sha256": file_sha256(in_domain_path),
            "ibm_train_claims": len(ibm_train),
            "training_pairs": len(train),
        },
    )


class Features:
    """Frozen statement features (mpnet + MiniLM) and claim embeddings (mpnet), as the classifier computes them."""

    def __init__(self, reference_encoder: SentenceEncoder, base_encoder: SentenceEncoder):
        self.reference_encoder = reference_encoder
        self.base_encoder = base_encoder

    def __call__(self, rows: list[StanceExample]) -> tuple[torch.Tensor, torch.Tensor]:
        texts = [e.text for e in rows]
        statements = np.hstack([self.reference_encoder.encode(texts), self.base_encoder.encode(texts)])
        return torch.from_numpy(statements), torch.from_numpy(self.reference_encoder.encode([e.claim for e in rows]))


def fit_heads(statements: torch.Tensor, claims: torch.Tensor, labels: torch.Tensor, config: TargetConfig) -> list[TargetHead]:
    heads = []
    for number in range(config.heads):
        torch.manual_seed(config.seed + number)
        head = TargetHead(statements.shape[1], claims.shape[1], config.hidden, config.dropout)
        optimizer = torch.optim.AdamW(head.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        for _ in range(config.epochs):
            head.train()
            order = torch.randperm(len(labels))
            for start in range(0, len(labels), config.batch_size):
                batch = order[start : start + config.batch_size]
                loss = torch.nn.functional.cross_entropy(head(statements[batch], claims[batch]), labels[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        heads.append(head.eval())
    return heads


def choose_combination(data: TargetData, expert_stance: dict[str, np.ndarray], target: dict[str, np.ndarray]) -> tuple[float, float, list[dict]]:
    """(target_weight, addressed_threshold, the dev sweep) chosen on the dev splits."""
    gold = {name: [e.label for e in rows] for name, rows in data.dev.items()}
    sweep = []
    for weight in WEIGHT_GRID:
        grounded_stance = with_target_heads(expert_stance["grounded"], target["grounded"], weight)
        not_addressed = np.exp(target["grounded"][:, -1:])
        grounded = score_grounded(gold["grounded"], np.hstack([grounded_stance * (1 - not_addressed), not_addressed]))
        in_domain = score_predictions(gold["in_domain"], with_target_heads(expert_stance["in_domain"], target["in_domain"], weight), polar_only=False, threshold=0.5)
        sweep.append({"weight": weight, "grounded_stance_macro_f1": grounded["stance_macro_f1"], "in_domain_macro_f1": in_domain["macro_f1"]})
    best = max(sweep, key=lambda row: (row["grounded_stance_macro_f1"] + row["in_domain_macro_f1"]) / 2)
    probs = softmax(target["grounded"])
    addressed = max(ADDRESSED_GRID, key=lambda t: score_grounded(gold["grounded"], probs, t)["addressed_f1"])
    return best["weight"], float(addressed), sweep


def train_target_heads(model_dir: Path, ibm_dir: Path, reference_encoder: SentenceEncoder, base_encoder: SentenceEncoder, config: TargetConfig = TargetConfig()) -> dict:
    """Train the heads into ``model_dir`` (beside the experts), choose weight and threshold on dev, update the settings."""
    from newswatch.enrichment.stance import StanceClassifier

    data = build_target_data(ibm_dir, config)
    features = Features(reference_encoder, base_encoder)
    statements, claims = features(data.train)
    labels = torch.tensor([MODEL_LABELS.index(e.label) for e in data.train])
    heads = fit_heads(statements, claims, labels, config)
    save_target_heads(model_dir, heads)
    settings = StanceSettings.read(model_dir)
    settings = replace(settings, target_claims=tuple(profile_claims().values()), target_heads=config.heads, target_hidden=config.hidden, target_weight=0.0)
    settings.write(model_dir)
    classifier = StanceClassifier(model_dir, claim_encoder=base_encoder, reference_encoder=reference_encoder)
    expert_stance, target = {}, {}
    for name, rows in data.dev.items():
        tuned, reference, target[name] = classifier.expert_logits([(e.claim, e.text) for e in rows])
        expert_stance[name] = softmax(combined_log_probs(tuned, reference, settings.temperature, settings.reference_temperature), settings.ensemble_temperature)
    weight, addressed_threshold, sweep = choose_combination(data, expert_stance, target)
    replace(settings, target_weight=weight, addressed_threshold=addressed_threshold).write(model_dir)
    return {"config": asdict(config), "data": data.sources, "target_weight": weight, "addressed_threshold": addressed_threshold, "dev_sweep": sweep}

