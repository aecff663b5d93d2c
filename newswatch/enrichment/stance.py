"""Stance of a statement towards a claim: addressed or not, and if so favor, against or neutral.

Two experts, trained by ``scripts/train_stance.py`` and shipped in ``models/stance/``, each
give logits over (favor, against, neutral); a third part, the **target heads**, reads
the same embeddings and judges the profile's own targets four ways (favor, against,
neutral, not_addressed). The target heads were trained on renderings of real public
statements (``datasets/stance-grounded``), every target labelled, so they have learned
which statements say nothing about a target and which positions real speakers take.

- The **tuned expert** embeds the statement with a fine-tuned copy of MiniLM (mean pooling,
  L2 norm) and reads the claim, and the statement once more, through the stock MiniLM
  encoder of ``model_service`` (frozen, so target claims are embedded once and cached and a
  free-text claim needs no training). It learns the project's own topic best.
- The **reference expert** reads frozen all-mpnet-base-v2 embeddings of statement and claim
  (``model_service.get_reference_encoder``). Nothing in it is fine-tuned, so it cannot
  overfit the few dozen debate motions it is trained on, and it carries over to unseen
  claims best: mpnet's embeddings tell which way a sentence leans much better than
  MiniLM's (a linear probe for a claim's sentiment towards its target: 0.89 accuracy on
  IBM's test motions against 0.76).

Both use the same factorised head. Favor-versus-against is a sum of products
``sum_k (what the statement says about aspect k) * (which way the claim points on k)``:
the same statement supports "we should ban X" and rejects "we should allow X", which a
product expresses directly and a linear layer over concatenated embeddings cannot.
The neutral score is linear in (statement, claim, statement * claim).

Each expert's logits are divided by its own temperature, the two distributions are
combined as a normalised geometric mean, and a last temperature fitted on held-out data
calibrates the result. For a claim of the profile the target heads' stance (the mean of
several heads trained from different seeds, renormalised over the three stances) joins
that combination with weight ``target_weight``; for any other claim (a free-text claim,
a debate motion) the experts decide alone, since the heads never saw such claims.

A judgement keeps two questions apart: ``addressed`` is the target heads' probability
that the statement addresses the claim at all, and ``label`` / ``probs`` the stance
*given* that it is. The pipeline keeps a target only when ``addressed`` reaches
``addressed_threshold``. When the largest stance probability is below ``threshold`` the
label is ``uncertain``: stored like any other label, never dropped.

The **target classifier** (``TargetClassifier``) is the reference encoder's upper layers
fine-tuned on the grounded statements, judging every profile target four ways; its
distribution joins the mix for profile claims with weight ``classifier_weight``. It shares the
stock encoder's lower layers, so one pass over a statement serves both (``reference_views``).

Files in the model folder: ``config.json`` + ``model.safetensors`` (fine-tuned encoder,
fp16 on disk), tokenizer files, ``stance_head.safetensors``,
``reference_head.safetensors``, ``target_heads.safetensors``, ``target_classifier/`` (its
trained layers in fp16, its head and split layer) and ``stance_config.json`` (labels, ranks,
temperatures, thresholds, target claims, max length).
"""
from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel, AutoTokenizer

from newswatch.core.labels import LABELS, MODEL_LABELS, NOT_ADDRESSED
from newswatch.core.model import StanceJudgement
from newswatch.core.numeric import log_softmax, softmax
from newswatch.core.settings import ModelSettings, Settings
from newswatch.enrichment.model_service import (
    ContentCache,
    SentenceEncoder,
    compute_precision,
    get_encoder,
    get_reference_encoder,
    length_sorted_batches,
    mean_pool,
)

DEFAULT_MODEL_DIR = ModelSettings.stance_model_dir
HEAD_FILE = "stance_head.safetensors"
REFERENCE_HEAD_FILE = "reference_head.safetensors"
TARGET_HEADS_FILE = "target_heads.safetensors"
TARGET_CLASSIFIER_DIR = "target_classifier"
TARGET_CLASSIFIER_HEAD_FILE = "target_classifier_head.safetensors"
TARGET_CLASSIFIER_LAYERS_FILE = "target_classifier_layers.safetensors"
TARGET_CLASSIFIER_CONFIG_FILE = "target_classifier.json"
STANCE_CONFIG_FILE = "stance_config.json"
DEFAULT_THRESHOLD = 0.5
DEFAULT_ADDRESSED_THRESHOLD = 0.5


class StanceModelUnavailable(RuntimeError):
    """No trained stance model at the configured place (train one with scripts/train_stance.py)."""


def stance_model_dir() -> Path:
    """The configured model folder (NEWSWATCH_STANCE_MODEL_DIR, default models/stance)."""
    return Settings.from_env().models.stance_model_dir


@dataclass(frozen=True)
class StanceSettings:
    """What ``stance_config.json`` records next to the weights."""

    labels: tuple[str, ...] = LABELS
    rank: int = 4
    statement_dim: int = 384
    claim_dim: int = 384
    temperature: float = 1.0
    threshold: float = DEFAULT_THRESHOLD
    max_length: int = 128
    reference_rank: int = 2
    reference_dim: int = 768
    reference_temperature: float = 1.0
    ensemble_temperature: float = 1.0
    target_claims: tuple[str, ...] = ()
    target_heads: int = 0
    target_hidden: int = 256
    target_weight: float = 0.0
    addressed_threshold: float = DEFAULT_ADDRESSED_THRESHOLD
    classifier_weight: float = 0.0

    @staticmethod
    def read(directory: Path) -> StanceSettings:
        data = json.loads((directory / STANCE_CONFIG_FILE).read_text(encoding="utf-8"))
        known = {name: data[name] for name in StanceSettings.__dataclass_fields__ if name in data}
        known["labels"] = tuple(known.get("labels", LABELS))
        known["target_claims"] = tuple(known.get("target_claims", ()))
        return StanceSettings(**known)

    def write(self, directory: Path, **extra) -> None:
        data = {**asdict(self), "labels": list(self.labels), "target_claims": list(self.target_claims), **extra}
        (directory / STANCE_CONFIG_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


class StanceHead(torch.nn.Module):
    """Logits over (favor, against, neutral) from statement and claim embeddings.

    The statement factors read both the fine-tuned statement embedding and the stock
    (frozen) sentence embedding of the same statement: the frozen part keeps a view of
    sentiment that fine-tuning on a few dozen debate motions cannot overfit.
    """

    def __init__(self, statement_dim: int, claim_dim: int, rank: int, dropout: float = 0.1):
        super().__init__()
        self.statement_factors = torch.nn.Linear(statement_dim, rank)
        self.base_statement_factors = torch.nn.Linear(claim_dim, rank, bias=False)
        self.claim_factors = torch.nn.Linear(claim_dim, rank)
        self.neutral = torch.nn.Linear(statement_dim + 2 * claim_dim, 1)
        self.dropout = torch.nn.Dropout(dropout)
        # Embeddings are unit vectors: larger-than-default factor weights give factors big
        # enough that their product starts with useful gradients.
        for layer in (self.statement_factors, self.base_statement_factors, self.claim_factors):
            torch.nn.init.normal_(layer.weight, std=0.25)
        for layer in (self.statement_factors, self.claim_factors):
            torch.nn.init.zeros_(layer.bias)

    def factors(
        self, statements: torch.Tensor, base_statements: torch.Tensor, claims: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(statement factors, claim factors); factor 0 is trained as sentiment x direction."""
        statement_factors = self.statement_factors(self.dropout(statements)) + self.base_statement_factors(self.dropout(base_statements))
        return statement_factors, self.claim_factors(claims)

    def forward(self, statements: torch.Tensor, base_statements: torch.Tensor, claims: torch.Tensor) -> torch.Tensor:
        statement_factors, claim_factors = self.factors(statements, base_statements, claims)
        polarity = (statement_factors * claim_factors).sum(dim=-1)
        pair = torch.cat([statements, claims, base_statements * claims], dim=-1)
        neutral = self.neutral(self.dropout(pair)).squeeze(-1)
        return torch.stack([polarity / 2, -polarity / 2, neutral], dim=-1)


class TargetHead(torch.nn.Module):
    """Four logits (``MODEL_LABELS``) per (statement features, claim embedding) pair.

    Statement features are the frozen mpnet and MiniLM embeddings side by side; the claim
    is mpnet's embedding. The product of the statement with the projected claim lets the
    same statement point one way for one claim and say nothing about another.
    """

    def __init__(self, statement_dim: int, claim_dim: int, hidden: int, dropout: float = 0.3):
        super().__init__()
        self.claim_projection = torch.nn.Linear(claim_dim, statement_dim)
        self.layers = torch.nn.Sequential(
            torch.nn.Dropout(dropout),
            torch.nn.Linear(3 * statement_dim, hidden),
            torch.nn.GELU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, len(MODEL_LABELS)),
        )

    def forward(self, statements: torch.Tensor, claims: torch.Tensor) -> torch.Tensor:
        projected = self.claim_projection(claims)
        return self.layers(torch.cat([statements, projected, statements * projected], dim=-1))


def save_target_heads(directory: Path, heads: Sequence[TargetHead]) -> None:
    tensors = {f"{i}.{name}": t.detach().float().contiguous() for i, head in enumerate(heads) for name, t in head.state_dict().items()}
    save_file(tensors, str(directory / TARGET_HEADS_FILE))


def load_target_heads(directory: Path, settings: StanceSettings) -> list[TargetHead]:
    tensors = load_file(str(directory / TARGET_HEADS_FILE))
    heads = []
    for i in range(settings.target_heads):
        head = TargetHead(settings.reference_dim + settings.claim_dim, settings.reference_dim, settings.target_hidden).eval()
        head.load_state_dict({name.split(".", 1)[1]: t for name, t in tensors.items() if name.startswith(f"{i}.")})
        heads.append(head)
    return heads


def target_log_probs(heads: Sequence[TargetHead], statements: torch.Tensor, claims: torch.Tensor) -> np.ndarray:
    """Mean of the heads' log-probabilities (n, 4): an ensemble of seeds is steadier than any one."""
    return np.mean([torch.log_softmax(head(statements, claims), dim=-1).numpy() for head in heads], axis=0)


def with_target_heads(stance: np.ndarray, target: np.ndarray, weight: float) -> np.ndarray:
    """Stance (n, 3) combined with the target heads' stance given addressed, as a weighted geometric mean."""
    target_stance = target[:, : len(LABELS)] - np.log(np.exp(target[:, : len(LABELS)]).sum(axis=1, keepdims=True))
    mixed = weight * target_stance + (1.0 - weight) * np.log(np.clip(stance, 1e-12, None))
    return softmax(mixed)


def run_layers(base: torch.nn.Module, layers: Iterable[torch.nn.Module], hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """``hidden`` (batch, tokens, width) through ``layers`` of an MPNet encoder, with ``base``'s relative position bias."""
    position_bias = base.encoder.compute_position_bias(hidden)
    additive_mask = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    for layer in layers:
        hidden = layer(hidden, additive_mask, position_bias)[0]
    return hidden


def lower_hidden(base: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor, split_layer: int) -> torch.Tensor:
    """The output of ``base``'s embeddings and its first ``split_layer`` layers: what the classifier and the stock encoder share."""
    return run_layers(base, base.encoder.layer[:split_layer], base.embeddings(input_ids=input_ids), attention_mask)


class TargetClassifier(torch.nn.Module):
    """Fine-tuned upper layers of the reference encoder (all-mpnet-base-v2) that judge every profile target four ways.

    The experts and target heads read frozen sentence embeddings, which barely move when
    a small edit flips a position ("with consent" / "without consent", a denial, a
    question). This classifier's own copies of the encoder's upper layers are trained on
    the grounded statements and on minimal pairs; its lower layers are the stock
    encoder's, so the stance model computes them once for both (see
    ``reference_views``) and the folder stores only the trained layers. One linear head
    gives ``len(MODEL_LABELS)`` logits per target, in the order of
    ``StanceSettings.target_claims``.
    """

    def __init__(self, layers: torch.nn.ModuleList, split_layer: int, hidden_size: int, targets: int, dropout: float = 0.1):
        super().__init__()
        self.layers = layers
        self.split_layer = split_layer
        self.targets = targets
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(hidden_size, targets * len(MODEL_LABELS))

    @staticmethod
    def from_base(base: torch.nn.Module, trainable_layers: int, targets: int) -> TargetClassifier:
        """A fresh classifier whose layers start as copies of ``base``'s upper ``trainable_layers``."""
        split_layer = len(base.encoder.layer) - trainable_layers
        layers = torch.nn.ModuleList(copy.deepcopy(layer) for layer in base.encoder.layer[split_layer:])
        return TargetClassifier(layers, split_layer, int(base.config.hidden_size), targets)

    def forward(self, base: torch.nn.Module, lower: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits (batch, targets, 4) from ``lower_hidden`` at this classifier's split layer."""
        pooled = mean_pool(run_layers(base, self.layers, lower, attention_mask).float(), attention_mask)
        return self.head(self.dropout(pooled)).view(-1, self.targets, len(MODEL_LABELS))

    def save(self, directory: Path) -> None:
        """Trained layers in fp16 (like the tuned expert), head in fp32, the split layer and target count beside them."""
        directory.mkdir(parents=True, exist_ok=True)
        save_file({name: t.detach().to(torch.float16).contiguous() for name, t in self.layers.state_dict().items()}, str(directory / TARGET_CLASSIFIER_LAYERS_FILE))
        save_file({name: t.detach().float().contiguous() for name, t in self.head.state_dict().items()}, str(directory / TARGET_CLASSIFIER_HEAD_FILE))
        config = {"split_layer": self.split_layer, "layers": len(self.layers), "targets": self.targets}
        (directory / TARGET_CLASSIFIER_CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @staticmethod
    def load(directory: Path, base: torch.nn.Module) -> TargetClassifier:
        """The classifier in ``directory`` over ``base`` (the stock reference encoder it was trained from)."""
        config = json.loads((directory / TARGET_CLASSIFIER_CONFIG_FILE).read_text(encoding="utf-8"))
        if config["split_layer"] + config["layers"] != len(base.encoder.layer):
            raise StanceModelUnavailable(f"the target classifier in {directory} expects a {config['split_layer'] + config['layers']}-layer reference encoder")
        classifier = TargetClassifier.from_base(base, config["layers"], config["targets"])
        classifier.layers.load_state_dict({name: t.float() for name, t in load_file(str(directory / TARGET_CLASSIFIER_LAYERS_FILE)).items()})
        classifier.head.load_state_dict(load_file(str(directory / TARGET_CLASSIFIER_HEAD_FILE)))
        return classifier.eval()


def reference_views(
    encoder: SentenceEncoder, classifier: TargetClassifier | None, texts: Sequence[str], precision: str = "fp32"
) -> tuple[np.ndarray, np.ndarray | None]:
    """(the stock reference embeddings (n, width), the classifier's probabilities (n, targets, 4) or None) in one pass.

    The lower layers run once per text and feed both the stock upper layers (the frozen
    embedding the experts and heads read) and the classifier's trained ones. Texts of
    similar length are batched together (less padding on CPU).
    """
    if classifier is None:
        return encoder.encode(list(texts)), None
    base = encoder.model
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    probabilities = np.zeros((len(texts), classifier.targets, len(MODEL_LABELS)), dtype=np.float32)
    with torch.inference_mode(), compute_precision(precision):
        for chosen, tokens in length_sorted_batches(encoder.tokenizer, texts, encoder.config.max_length, encoder.config.batch_size):
            lower = lower_hidden(base, tokens["input_ids"], tokens["attention_mask"], classifier.split_layer)
            stock = run_layers(base, base.encoder.layer[classifier.split_layer :], lower, tokens["attention_mask"]).float()
            vectors[chosen] = torch.nn.functional.normalize(mean_pool(stock, tokens["attention_mask"]), p=2, dim=1).numpy()
            probabilities[chosen] = torch.softmax(classifier(base, lower, tokens["attention_mask"]).float(), dim=-1).numpy()
    return vectors, probabilities


def with_target_classifier(stance: np.ndarray, addressed: np.ndarray, classifier_probs: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """(stance (n, 3), P(addressed) (n,)) after a weighted geometric mean of the four-way distributions.

    The classifier and the embedding-based parts err on different statements, so their
    geometric mean beats either alone on the grounded dev split.
    """
    current = np.hstack([stance * addressed[:, None], 1.0 - addressed[:, None]])
    mixed = np.exp(weight * np.log(np.clip(classifier_probs, 1e-12, None)) + (1.0 - weight) * np.log(np.clip(current, 1e-12, None)))
    mixed /= mixed.sum(axis=1, keepdims=True)
    not_addressed = mixed[:, -1]
    return mixed[:, : len(LABELS)] / np.clip(1.0 - not_addressed[:, None], 1e-12, None), 1.0 - not_addressed


class StatementEncoder(torch.nn.Module):
    """The fine-tuned transformer: mean-pooled, L2-normalised statement embeddings."""

    def __init__(self, transformer: torch.nn.Module):
        super().__init__()
        self.transformer = transformer

    @property
    def dimension(self) -> int:
        return int(self.transformer.config.hidden_size)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: torch.Tensor) -> torch.Tensor:
        hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state.float()
        return torch.nn.functional.normalize(mean_pool(hidden, attention_mask), p=2, dim=1)


def save_stance_model(
    directory: Path,
    encoder: StatementEncoder,
    head: StanceHead,
    reference_head: StanceHead,
    tokenizer,
    settings: StanceSettings,
    **extra,
) -> None:
    """Write encoder (fp16 safetensors), both heads, tokenizer and settings into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    half = {name: t.detach().to(torch.float16).contiguous() for name, t in encoder.transformer.state_dict().items()}
    encoder.transformer.save_pretrained(str(directory), state_dict=half)
    for module, file_name in ((head, HEAD_FILE), (reference_head, REFERENCE_HEAD_FILE)):
        save_file({name: t.detach().float().contiguous() for name, t in module.state_dict().items()}, str(directory / file_name))
    tokenizer.save_pretrained(str(directory))
    settings.write(directory, **extra)


def combined_log_probs(
    tuned_logits: np.ndarray, reference_logits: np.ndarray, tuned_temperature: float, reference_temperature: float
) -> np.ndarray:
    """The experts' calibrated log-probabilities, averaged: the log of their (unnormalised) geometric mean.

    A geometric mean lets an expert that is sure overrule one that hesitates, and a class
    either expert rules out stays unlikely. Equal weights: on held-out data any weight
    between 0.3 and 0.7 scored within noise of the best, so none is tuned.
    """
    return (log_softmax(tuned_logits, tuned_temperature) + log_softmax(reference_logits, reference_temperature)) / 2


def judgement_from_probs(
    probs: Sequence[float], target_id: str, threshold: float, addressed: float | None = None
) -> StanceJudgement:
    """A judgement from stance probabilities in ``LABELS`` order (renormalised here)."""
    vector = np.asarray(probs, dtype=np.float64)[: len(LABELS)]
    vector = vector / max(float(vector.sum()), 1e-12)
    best = int(np.argmax(vector))
    confidence = float(vector[best])
    return StanceJudgement(
        target_id=target_id,
        label=LABELS[best] if confidence >= threshold else "uncertain",
        probs={name: round(float(p), 4) for name, p in zip(LABELS, vector)},
        confidence=round(confidence, 4),
        addressed=None if addressed is None else round(float(addressed), 4),
    )


def aggregate_stance(
    judgements: Iterable[StanceJudgement],
    threshold: float = DEFAULT_THRESHOLD,
    positions: Sequence[int | None] | None = None,
) -> list[StanceJudgement]:
    """One stance per target from several judgements (a quote's sentences, an article's quotes).

    Per target, the stance probabilities are averaged with each judgement weighted by its
    confidence times how surely it addresses the target, so one clear statement outweighs
    a hesitant or barely related one, and statements pulling in opposite directions end
    up ``uncertain`` instead of picking a side. ``positions`` (one per judgement: a quote's
    position, or None for the article's own text) name the evidence: the result lists the
    quotes whose own label is the aggregate's, and whether the article's text agreed.
    """
    judgements = list(judgements)
    positions = list(positions) if positions is not None else [None] * len(judgements)
    by_target: dict[str, list[tuple[StanceJudgement, int | None]]] = {}
    for judgement, position in zip(judgements, positions):
        if judgement.probs:
            by_target.setdefault(judgement.target_id, []).append((judgement, position))
    aggregated = []
    for target_id, group in by_target.items():
        addressed = np.array([1.0 if j.addressed is None else j.addressed for j, _ in group])
        weights = np.array([max(j.confidence, 1e-6) for j, _ in group]) * np.maximum(addressed, 1e-6)
        vectors = np.array([[j.probs.get(label, 0.0) for label in LABELS] for j, _ in group])
        mean = (vectors * weights[:, None]).sum(axis=0) / weights.sum()
        result = judgement_from_probs(mean, target_id, threshold, addressed=float(addressed.max()))
        agreeing = [(j, p) for j, p in group if j.label == result.label]
        result = result.model_copy(
            update={
                "quote_positions": sorted({p for _, p in agreeing if p is not None}),
                "from_text": any(p is None for _, p in agreeing) and positions != [None] * len(judgements),
            }
        )
        aggregated.append(result)
    return aggregated


class StanceClassifier:
    """The trained stance model, loaded once per process (see ``get_stance_classifier``)."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        claim_encoder: SentenceEncoder | None = None,
        reference_encoder: SentenceEncoder | None = None,
        threshold: float | None = None,
        addressed_threshold: float | None = None,
        batch_size: int = 32,
        torch_threads: int | None = None,
        precision: str = "auto",
    ):
        model_dir = Path(model_dir or stance_model_dir())
        missing = [name for name in (STANCE_CONFIG_FILE, HEAD_FILE, REFERENCE_HEAD_FILE, TARGET_HEADS_FILE) if not (model_dir / name).exists()]
        if missing:
            raise StanceModelUnavailable(f"no trained stance model in {model_dir}: {', '.join(missing)} missing (run: python scripts/train_stance.py)")
        if torch_threads:
            torch.set_num_threads(torch_threads)
        self.model_dir = model_dir
        self.settings = StanceSettings.read(model_dir)
        self.threshold = self.settings.threshold if threshold is None else threshold
        self.addressed_threshold = self.settings.addressed_threshold if addressed_threshold is None else addressed_threshold
        self.batch_size = batch_size
        self.precision = precision
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.claim_encoder = claim_encoder or get_encoder()
        self.reference_encoder = reference_encoder or get_reference_encoder()
        for encoder, expected, role in (
            (self.claim_encoder, self.settings.claim_dim, "claim"),
            (self.reference_encoder, self.settings.reference_dim, "reference"),
        ):
            if encoder.dimension != expected:
                raise StanceModelUnavailable(f"the {role} encoder gives {encoder.dimension}-d vectors, the stance model expects {expected}")
        # fp16 on disk, fp32 in memory: CPU matmuls are fastest and exact in fp32.
        transformer = AutoModel.from_pretrained(str(model_dir), local_files_only=True, dtype=torch.float32)
        self.encoder = StatementEncoder(transformer).eval()
        self.head = StanceHead(self.settings.statement_dim, self.settings.claim_dim, self.settings.rank).eval()
        self.head.load_state_dict(load_file(str(model_dir / HEAD_FILE)))
        self.reference_head = StanceHead(self.settings.reference_dim, self.settings.reference_dim, self.settings.reference_rank).eval()
        self.reference_head.load_state_dict(load_file(str(model_dir / REFERENCE_HEAD_FILE)))
        self.target_heads = load_target_heads(model_dir, self.settings)
        self._target_index = {claim: i for i, claim in enumerate(self.settings.target_claims)}
        self.target_classifier = None
        if self.settings.classifier_weight > 0:
            self.target_classifier = TargetClassifier.load(model_dir / TARGET_CLASSIFIER_DIR, self.reference_encoder.model)
        self._lock = threading.Lock()
        self._views = ContentCache(self.reference_encoder.config.cache_size)

    def _statement_vectors(self, texts: Sequence[str]) -> np.ndarray:
        chunks = []
        for start in range(0, len(texts), self.batch_size):
            tokens = self.tokenizer(
                list(texts[start : start + self.batch_size]),
                padding=True,
                truncation=True,
                max_length=self.settings.max_length,
                return_tensors="pt",
            )
            with compute_precision(self.precision):
                chunks.append(self.encoder(**tokens).numpy())
        return np.concatenate(chunks)

    def classifier_probs(self, texts: Sequence[str]) -> np.ndarray:
        """The target classifier's probabilities (n, targets, 4) for each text."""
        with self._lock:
            return self._reference_views(texts)[1]

    def _reference_views(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """``reference_views`` with a content-keyed cache, like the sentence encoders' (a syndicated quote is judged once)."""
        if self.target_classifier is None:
            return reference_views(self.reference_encoder, None, texts, self.precision)
        views = self._views.get_or_compute(texts, lambda missing: list(zip(*reference_views(self.reference_encoder, self.target_classifier, missing, self.precision))))
        return np.stack([vector for vector, _ in views]), np.stack([probability for _, probability in views])

    def clear_cache(self) -> None:
        """Forget cached statement views (benchmarks use it to time real inference)."""
        with self._lock:
            self._views.clear()

    def expert_logits(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tuned, reference, target) outputs for (claim, text) pairs; each distinct text is encoded once.

        tuned and reference are raw logits (n, 3); target is the target heads' mean
        log-probabilities (n, 4).
        """
        return self._judge(pairs)[:3]

    def _judge(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """``expert_logits`` plus the target classifier's probabilities per pair (n, 4), or None without a classifier.

        Claims go through the sentence encoders, whose content-keyed caches keep a
        catalogue's few claims from being encoded again; statements share one pass of the
        reference encoder's lower layers with the classifier (``reference_views``).
        """
        if not pairs:
            empty = np.zeros((0, len(LABELS)), np.float32)
            return empty, empty, np.zeros((0, len(MODEL_LABELS)), np.float32), None
        texts = list(dict.fromkeys(text for _, text in pairs))
        position = {text: i for i, text in enumerate(texts)}
        rows = [position[text] for _, text in pairs]
        claims = [claim for claim, _ in pairs]
        with self._lock, torch.inference_mode():
            reference_vectors, classified = self._reference_views(texts)
            base_statements = torch.from_numpy(self.claim_encoder.encode(texts)[rows])
            tuned = self.head(torch.from_numpy(self._statement_vectors(texts)[rows]), base_statements, torch.from_numpy(self.claim_encoder.encode(claims)))
            reference_statements = torch.from_numpy(reference_vectors[rows])
            reference_claims = torch.from_numpy(self.reference_encoder.encode(claims))
            reference = self.reference_head(reference_statements, reference_statements, reference_claims)
            target = target_log_probs(self.target_heads, torch.cat([reference_statements, base_statements], dim=-1), reference_claims)
        per_pair = None
        if classified is not None:
            per_pair = np.array([
                classified[row][self._target_index[claim]] if claim in self._target_index else np.full(len(MODEL_LABELS), np.nan, np.float32)
                for row, claim in zip(rows, claims)
            ])
        return tuned.numpy(), reference.numpy(), target, per_pair

    def stance_and_addressed(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(stance given addressed (n, 3) in ``LABELS`` order, P(addressed) (n,)) for (claim, text) pairs."""
        tuned, reference, target, classified = self._judge(pairs)
        settings = self.settings
        stance = softmax(combined_log_probs(tuned, reference, settings.temperature, settings.reference_temperature), settings.ensemble_temperature)
        profile_claim = np.array([claim in self._target_index for claim, _ in pairs], dtype=bool)
        addressed = 1.0 - np.exp(target[:, MODEL_LABELS.index(NOT_ADDRESSED)])
        if profile_claim.any():
            stance[profile_claim] = with_target_heads(stance[profile_claim], target[profile_claim], settings.target_weight)
        if profile_claim.any() and classified is not None:
            stance[profile_claim], addressed[profile_claim] = with_target_classifier(
                stance[profile_claim], addressed[profile_claim], classified[profile_claim], settings.classifier_weight
            )
        return stance, addressed

    def full_probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n, 4) over ``MODEL_LABELS``: P(addressed) times the stance given addressed, then P(not addressed)."""
        stance, addressed = self.stance_and_addressed(pairs)
        return np.hstack([stance * addressed[:, None], 1.0 - addressed[:, None]])

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Stance probabilities given that the claim is addressed (n, 3), columns in ``LABELS`` order."""
        return self.stance_and_addressed(pairs)[0]

    def predict(self, text: str, target_claim: str, target_id: str = "custom") -> StanceJudgement:
        return self.predict_batch([(text, target_claim, target_id)])[0]

    def predict_batch(self, items: Sequence[tuple[str, str, str]]) -> list[StanceJudgement]:
        """One judgement per (text, target_claim, target_id) item, in order."""
        stance, addressed = self.stance_and_addressed([(claim, text) for text, claim, _ in items])
        return [
            judgement_from_probs(row, target_id, self.threshold, addressed=float(probability))
            for row, probability, (_, _, target_id) in zip(stance, addressed, items)
        ]

    def is_addressed(self, judgement: StanceJudgement) -> bool:
        return judgement.addressed is None or judgement.addressed >= self.addressed_threshold


@functools.lru_cache(maxsize=2)
def get_stance_classifier(model_dir: Path | None = None) -> StanceClassifier:
    """The process-wide stance model; threads and precision follow the encoder's settings."""
    models = Settings.from_env().models
    return StanceClassifier(model_dir, torch_threads=models.torch_threads, precision=models.inference_precision)
