"""Training of the stance model's target classifier (``newswatch.enrichment.stance.TargetClassifier``).

The third step of ``scripts/train_stance.py`` (``--classifier-only`` runs it alone over the
experts and target heads already in the model folder). It starts from the frozen reference
encoder (all-mpnet-base-v2): the embeddings and lower layers stay the stock ones, so their
output is computed once per text before training (``lower_layer_cache``) and each epoch runs
only the classifier's own copies of the upper ``trainable_layers`` and its four-way head per
profile target, on:

- **grounded statements** (train split), every target labelled;
- **contrast training pairs** (``contrast-train.jsonl``): both members of minimal pairs written
  from train-split statements, so small edits that flip a position carry a loss;
- **the in-domain set** (train split): one target labelled, the others masked out of the loss.

Chosen on dev (never on a test split): the epoch (best mean of grounded-dev stance macro-F1
and addressed F1), then the classifier's weight in the geometric mean with the experts and
heads (``classifier_weight``: the best mean of grounded-dev stance macro-F1, grounded-dev
addressed F1 and in-domain-dev macro-F1) and the ``addressed_threshold`` of the mix.
"""
from __future__ import annotations

import copy
import random
from collections.abc import Sequence
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from newswatch.core.labels import LABELS
from newswatch.enrichment.model_service import SentenceEncoder, compute_precision, length_sorted_batches
from newswatch.enrichment.stance import (
    TARGET_CLASSIFIER_DIR,
    StanceClassifier,
    StanceSettings,
    TargetClassifier,
    lower_hidden,
    reference_views,
    with_target_classifier,
)
from newswatch_lab.stance_data import (
    CONTRAST_TRAINING_PATHS,
    GROUNDED_PATH,
    IN_DOMAIN_PATH,
    MODEL_LABELS,
    GroundedStatement,
    file_sha256,
    files_sha256,
    load_contrast_training,
    load_grounded,
    load_in_domain,
    profile_claims,
    score_grounded,
    score_predictions,
)

WEIGHT_GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
ADDRESSED_GRID = tuple(round(t, 2) for t in np.arange(0.2, 0.71, 0.05))
IGNORED = -100  # a target the example does not label


@dataclass(frozen=True)
class ClassifierConfig:
    trainable_layers: int = 4
    epochs: int = 6
    lr: float = 3e-5
    head_lr: float = 1e-3
    batch_size: int = 16
    # not_addressed is most pairs' label: the three stances weigh more in the loss
    stance_class_weight: float = 2.0
    warmup_share: float = 0.06
    seed: int = 13
    threads: int = 2
    # bf16 autocast (fp32 weights) trains about 4x faster where the CPU computes bf16 natively
    precision: str = "auto"


Example = tuple[str, list[int]]  # text, one label index per target (IGNORED where unlabelled)


def statement_examples(statements: list[GroundedStatement], targets: list[str]) -> list[Example]:
    return [(s.text, [MODEL_LABELS.index(s.labels[t]) for t in targets]) for s in statements]


def training_examples(targets: list[str], grounded_path: Path, contrast_training_paths: Sequence[Path], in_domain_path: Path) -> tuple[list[Example], dict]:
    claims = profile_claims()
    grounded = [s for s in load_grounded(grounded_path, set(claims)) if s.split == "train"]
    contrast = load_contrast_training(contrast_training_paths, set(claims))
    examples = statement_examples(grounded, targets) + statement_examples(contrast, targets)
    in_domain = [e for e in load_in_domain(in_domain_path, claims) if e.split == "train"]
    for example in in_domain:
        labels = [IGNORED] * len(targets)
        labels[targets.index(example.group)] = MODEL_LABELS.index(example.label)
        examples.append((example.text, labels))
    sources = {
        "grounded": {"sha256": file_sha256(grounded_path), "train_statements": len(grounded)},
        "contrast_training": {"sha256": files_sha256(contrast_training_paths), "statements": len(contrast)},
        "in_domain": {"sha256": file_sha256(in_domain_path), "train_statements": len(in_domain)},
    }
    return examples, sources


def length_bucketed_batches(examples: list[Example], batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of similar length: padding is most of the waste on CPU."""
    shuffled = examples[:]
    rng.shuffle(shuffled)
    window = batch_size * 20
    batches = []
    for start in range(0, len(shuffled), window):
        chunk = sorted(shuffled[start : start + window], key=lambda example: len(example[0]))
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def grounded_dev_score(probs: np.ndarray, dev: list[Example]) -> dict:
    gold = [MODEL_LABELS[label] for _, labels in dev for label in labels]
    return score_grounded(gold, probs.reshape(-1, len(MODEL_LABELS)))


def lower_layer_cache(encoder: SentenceEncoder, texts: Sequence[str], split_layer: int, precision: str) -> dict[str, torch.Tensor]:
    """Each text's output of the frozen lower layers (bf16, unpadded): computed once, read every epoch."""
    cache = {}
    with torch.inference_mode(), compute_precision(precision):
        for chosen, tokens in length_sorted_batches(encoder.tokenizer, texts, encoder.config.max_length, 32):
            lower = lower_hidden(encoder.model, tokens["input_ids"], tokens["attention_mask"], split_layer)
            for row, index in enumerate(chosen):
                cache[texts[index]] = lower[row, : int(tokens["attention_mask"][row].sum())].to(torch.bfloat16).clone()
    return cache


def padded(cache: dict[str, torch.Tensor], texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """(lower hidden states (batch, tokens, width) in fp32, attention mask) for cached texts."""
    rows = [cache[text] for text in texts]
    hidden = torch.zeros(len(rows), max(row.shape[0] for row in rows), rows[0].shape[1])
    mask = torch.zeros(hidden.shape[:2], dtype=torch.long)
    for number, row in enumerate(rows):
        hidden[number, : row.shape[0]] = row.float()
        mask[number, : row.shape[0]] = 1
    return hidden, mask


def cached_probabilities(classifier: TargetClassifier, base: torch.nn.Module, cache: dict[str, torch.Tensor], texts: Sequence[str], precision: str) -> np.ndarray:
    order = sorted(range(len(texts)), key=lambda i: cache[texts[i]].shape[0])
    result = np.zeros((len(texts), classifier.targets, len(MODEL_LABELS)), dtype=np.float32)
    with torch.inference_mode(), compute_precision(precision):
        for start in range(0, len(order), 64):
            chosen = order[start : start + 64]
            hidden, mask = padded(cache, [texts[i] for i in chosen])
            result[chosen] = torch.softmax(classifier(base, hidden, mask).float(), dim=-1).numpy()
    return result


def fit_classifier(encoder: SentenceEncoder, examples: list[Example], dev: list[Example], targets: int, config: ClassifierConfig) -> tuple[TargetClassifier, list[dict]]:
    """Fine-tune; the epoch with the best grounded-dev mean of stance macro-F1 and addressed F1 is kept."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    base = encoder.model.eval()
    classifier = TargetClassifier.from_base(base, config.trainable_layers, targets)
    # only the classifier's copies of the upper layers learn: freeze the stock encoder after copying them
    for parameter in base.parameters():
        parameter.requires_grad = False
    dev_texts = [text for text, _ in dev]
    cache = lower_layer_cache(encoder, list(dict.fromkeys([text for text, _ in examples] + dev_texts)), classifier.split_layer, config.precision)
    layer_parameters = list(classifier.layers.parameters())
    optimizer = torch.optim.AdamW(
        [{"params": layer_parameters, "lr": config.lr}, {"params": list(classifier.head.parameters()), "lr": config.head_lr}], weight_decay=0.01
    )
    steps = config.epochs * -(-len(examples) // config.batch_size)
    warmup = max(1, int(config.warmup_share * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (steps - step) / steps))
    weights = torch.tensor([config.stance_class_weight] * len(LABELS) + [1.0])
    loss_function = torch.nn.CrossEntropyLoss(weight=weights, ignore_index=IGNORED)
    history, best, best_state = [], -1.0, None
    started = time.time()
    for epoch in range(1, config.epochs + 1):
        classifier.train()
        for batch in length_bucketed_batches(examples, config.batch_size, rng):
            hidden, mask = padded(cache, [text for text, _ in batch])
            with compute_precision(config.precision):
                logits = classifier(base, hidden, mask)
            loss = loss_function(logits.float().reshape(-1, len(MODEL_LABELS)), torch.tensor([labels for _, labels in batch]).reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(layer_parameters + list(classifier.head.parameters()), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        scores = grounded_dev_score(cached_probabilities(classifier.eval(), base, cache, dev_texts, config.precision), dev)
        mean = (scores["stance_macro_f1"] + scores["addressed_f1"]) / 2
        history.append({"epoch": epoch, "seconds": round(time.time() - started), "grounded_dev": scores})
        print(f"target classifier epoch {epoch}: grounded dev stance {scores['stance_macro_f1']}, addressed {scores['addressed_f1']}", flush=True)
        if mean > best:
            best, best_state = mean, copy.deepcopy(classifier.state_dict())
    classifier.load_state_dict(best_state)
    return classifier.eval(), history


def choose_weight(model_dir: Path, dev_texts: dict, dev_gold: dict, classifier_probs: dict, claims: dict[str, str]) -> tuple[float, float, list[dict]]:
    """(classifier_weight, addressed_threshold, sweep) on the dev splits, over the experts and heads already in ``model_dir``."""
    current = StanceClassifier(model_dir)
    targets = list(claims)
    pairs = {
        "grounded": [(claims[t], text) for text in dev_texts["grounded"] for t in targets],
        "in_domain": [(claims[t], text) for text, t in dev_texts["in_domain"]],
    }
    stance, addressed = {}, {}
    for name, rows in pairs.items():
        stance[name], addressed[name] = current.stance_and_addressed(rows)
    classified = {
        "grounded": classifier_probs["grounded"].reshape(-1, len(MODEL_LABELS)),
        "in_domain": np.array([classifier_probs["in_domain"][i, targets.index(t)] for i, (_, t) in enumerate(dev_texts["in_domain"])]),
    }
    sweep, mixes = [], {}
    for weight in WEIGHT_GRID:
        mixed = {name: with_target_classifier(stance[name], addressed[name], classified[name], weight) for name in pairs}
        grounded_probs = np.hstack([mixed["grounded"][0] * mixed["grounded"][1][:, None], 1.0 - mixed["grounded"][1][:, None]])
        grounded = score_grounded(dev_gold["grounded"], grounded_probs, current.addressed_threshold)
        in_domain = score_predictions(dev_gold["in_domain"], mixed["in_domain"][0], polar_only=False, threshold=0.5)
        mixes[weight] = grounded_probs
        sweep.append({
            "weight": weight,
            "grounded_stance_macro_f1": grounded["stance_macro_f1"],
            "grounded_addressed_f1": grounded["addressed_f1"],
            "in_domain_macro_f1": in_domain["macro_f1"],
        })
    best = max(sweep, key=lambda row: (row["grounded_stance_macro_f1"] + row["grounded_addressed_f1"] + row["in_domain_macro_f1"]) / 3)
    threshold = max(ADDRESSED_GRID, key=lambda t: score_grounded(dev_gold["grounded"], mixes[best["weight"]], t)["addressed_f1"])
    return best["weight"], float(threshold), sweep


def choose_classifier_settings(
    model_dir: Path, reference_encoder: SentenceEncoder, grounded_path: Path = GROUNDED_PATH, in_domain_path: Path = IN_DOMAIN_PATH
) -> dict:
    """Choose the saved classifier's weight and the addressed threshold on dev, against the experts and heads now in ``model_dir``."""
    claims = profile_claims()
    targets = list(claims)
    # the weight is chosen against the experts and heads alone
    settings = replace(StanceSettings.read(model_dir), classifier_weight=0.0)
    settings.write(model_dir)
    classifier = TargetClassifier.load(model_dir / TARGET_CLASSIFIER_DIR, reference_encoder.model)
    dev = statement_examples([s for s in load_grounded(grounded_path, set(claims)) if s.split == "dev"], targets)
    in_domain_dev = [e for e in load_in_domain(in_domain_path, claims) if e.split == "dev"]
    dev_texts = {"grounded": [text for text, _ in dev], "in_domain": [(e.text, e.group) for e in in_domain_dev]}
    dev_gold = {"grounded": [MODEL_LABELS[label] for _, labels in dev for label in labels], "in_domain": [e.label for e in in_domain_dev]}
    classifier_probs = {
        "grounded": reference_views(reference_encoder, classifier, dev_texts["grounded"], "auto")[1],
        "in_domain": reference_views(reference_encoder, classifier, [text for text, _ in dev_texts["in_domain"]], "auto")[1],
    }
    weight, threshold, sweep = choose_weight(model_dir, dev_texts, dev_gold, classifier_probs, claims)
    replace(settings, target_claims=tuple(claims.values()), classifier_weight=weight, addressed_threshold=threshold).write(model_dir)
    print(f"target classifier: weight {weight}, addressed threshold {threshold} (chosen on dev)", flush=True)
    return {"classifier_weight": weight, "addressed_threshold": threshold, "dev_sweep": sweep}


def train_target_classifier(
    model_dir: Path,
    reference_encoder: SentenceEncoder,
    config: ClassifierConfig = ClassifierConfig(),
    grounded_path: Path = GROUNDED_PATH,
    contrast_training_paths: Sequence[Path] = CONTRAST_TRAINING_PATHS,
    in_domain_path: Path = IN_DOMAIN_PATH,
) -> dict:
    """Train into ``model_dir/target_classifier``, then choose its weight and the addressed threshold on dev."""
    claims = profile_claims()
    targets = list(claims)
    examples, sources = training_examples(targets, grounded_path, contrast_training_paths, in_domain_path)
    dev = statement_examples([s for s in load_grounded(grounded_path, set(claims)) if s.split == "dev"], targets)
    classifier, history = fit_classifier(reference_encoder, examples, dev, len(targets), config)
    classifier.save(model_dir / TARGET_CLASSIFIER_DIR)
    chosen = choose_classifier_settings(model_dir, reference_encoder, grounded_path, in_domain_path)
    return {"config": asdict(config), "data": {**sources, "training_examples": len(examples)}, "epochs": history, **chosen}
