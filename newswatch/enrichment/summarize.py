"""Article summaries: extractive by default, abstractive from a local model if configured.

Extractive method
-----------------
1. Split the text into sentences and drop page furniture ("Scroll down for
   video", "Visit site", lone punctuation) that is never summary material.
2. Encode the first ``max_candidates`` sentences with the shared MiniLM encoder
   (news puts its substance first; encoding all ~30 sentences would double the
   cost for sentences that are almost never chosen).
3. Score each candidate with a linear model over a position prior (one-hot for
   the first six slots plus log and relative position), centrality (cosine to
   the article centroid, mean similarity to the sentences after and before it,
   similarity to the first sentence), sentence length and quotation features.
   The coefficients live in ``models/summary_head.json``, produced by
   ``python -m newswatch_lab.summary_training`` (logistic regression against
   greedy-oracle sentence labels; its cross-validated ROUGE is recorded there).
4. Pick ``max_sentences`` greedily, each time subtracting ``redundancy`` times
   the candidate's highest cosine to what is already picked (MMR), and return
   them in article order with a leading wire dateline such as
   "WASHINGTON (CNN) --" removed.

Abstractive method (optional): set NEWSWATCH_SUMMARY_MODEL_DIR (or
``SummaryConfig.abstractive_model_dir``) to a local seq2seq model folder; no
model is ever fetched from a hub.

Cased prose and the lowercased, PTB-tokenized CNN/DailyMail evaluation text
are handled by the same code: ``tokenized=True`` selects the PTB sentence
splitter and feeds detokenized sentences to the encoder and the features,
while the returned sentences keep the input's own form (so ROUGE compares
like with like). No feature depends on letter case: the encoder is uncased and
the rules compare lowercased text.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from newswatch.core.settings import MODELS_DIR, ModelSettings, Settings
from newswatch.enrichment.sentences import detokenize_ptb, prepare_sentences

DEFAULT_HEAD_PATH = MODELS_DIR / "summary_head.json"

FEATURE_NAMES: tuple[str, ...] = (
    "position_0", "position_1", "position_2", "position_3", "position_4", "position_5",
    "log_position", "relative_position",
    "length", "is_short", "is_long",
    "quote_fraction", "starts_with_quote",
    "centrality", "similarity_to_following", "similarity_to_preceding", "similarity_to_first",
    "has_number",
)  # fmt: skip

_WIRE_DATELINE = re.compile(
    r"^[^()\n]{0,60}?\(\s*(?:cnn|reuters|ap|afp|bloomberg|upi)\s*\)\s*(?:--|-|\u2013|\u2014)?\s*",
    re.IGNORECASE,
)
_DOUBLE_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')
# Single-quoted speech (Daily Mail style) opens at the sentence start or after "said:".
_SINGLE_QUOTED = re.compile(r"(?:^|:\s)['\u2018].*?(?:[,.!?]['\u2019]|$)")
_WORD = re.compile(r"[^\W_]+")


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class SummaryModelError(RuntimeError):
    """The scoring head or the abstractive model folder is missing or malformed."""


@dataclass(frozen=True)
class SentenceHead:
    """Linear sentence scorer + selection settings, as written by the training script."""

    coefficients: np.ndarray
    intercept: float
    redundancy: float
    max_candidates: int
    metadata: dict = field(default_factory=dict, compare=False)

    @staticmethod
    def load(path: Path = DEFAULT_HEAD_PATH) -> "SentenceHead":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SummaryModelError(f"cannot read summary head {path}: {exc}") from exc
        names = tuple(data.get("features", ()))
        if names != FEATURE_NAMES:
            raise SummaryModelError(f"summary head {path} was trained on features {names}, code computes {FEATURE_NAMES}")
        return SentenceHead(
            coefficients=np.asarray(data["coefficients"], dtype=np.float64),
            intercept=float(data["intercept"]),
            redundancy=float(data["redundancy"]),
            max_candidates=int(data["max_candidates"]),
            metadata={k: v for k, v in data.items() if k not in {"coefficients", "intercept"}},
        )


def strip_dateline(sentence: str) -> str:
    stripped = _WIRE_DATELINE.sub("", sentence, count=1)
    return stripped if _WORD.search(stripped) else sentence


def quote_fraction(plain_sentence: str) -> float:
    if not plain_sentence:
        return 0.0
    quoted = sum(len(m.group()) for m in _DOUBLE_QUOTED.finditer(plain_sentence))
    quoted += sum(len(m.group()) for m in _SINGLE_QUOTED.finditer(plain_sentence))
    return min(1.0, quoted / len(plain_sentence))


def sentence_features(plain: list[str], embeddings: np.ndarray, total: int) -> np.ndarray:
    """One row of FEATURE_NAMES per candidate sentence; ``embeddings`` are L2-normalised rows."""
    count = len(plain)
    positions = np.arange(count, dtype=np.float64)
    similarity = embeddings @ embeddings.T
    centroid = embeddings.mean(axis=0)
    centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-9)
    following = np.array([similarity[i, i + 1 :].mean() if i < count - 1 else 0.0 for i in range(count)])
    preceding = np.array([similarity[i, :i].mean() if i > 0 else 0.0 for i in range(count)])
    lengths = np.array([len(s.split()) for s in plain], dtype=np.float64)
    columns = [(positions == slot).astype(np.float64) for slot in range(6)] + [
        np.log1p(positions),
        positions / max(total, 1),
        lengths / 30.0,
        (lengths < 8).astype(np.float64),
        (lengths > 40).astype(np.float64),
        np.array([quote_fraction(s) for s in plain]),
        np.array([s.lstrip()[:1] in {'"', "'", "\u201c", "\u2018"} for s in plain], dtype=np.float64),
        embeddings @ centroid,
        following,
        preceding,
        similarity[:, 0],
        np.array([any(ch.isdigit() for ch in s) for s in plain], dtype=np.float64),
    ]
    return np.stack(columns, axis=1)


def select_diverse(scores: np.ndarray, similarity: np.ndarray, count: int, redundancy: float) -> list[int]:
    """Greedy MMR: best score minus ``redundancy`` x the highest similarity to those already chosen."""
    chosen: list[int] = []
    for _ in range(min(count, len(scores))):
        penalty = similarity[:, chosen].max(axis=1) if chosen else np.zeros(len(scores))
        adjusted = scores - redundancy * penalty
        adjusted[chosen] = -np.inf
        chosen.append(int(np.argmax(adjusted)))
    return sorted(chosen)


@dataclass(frozen=True)
class SummaryConfig:
    max_sentences: int = 3
    head_path: Path = DEFAULT_HEAD_PATH
    # A hard cap whatever the sentence splitter finds (PIECE_WORDS per chosen piece, and some room).
    words_per_sentence: int = 50
    # Optional abstractive model: a local transformers seq2seq folder (never a hub id).
    abstractive_model_dir: Path | None = None
    abstractive_max_new_tokens: int = 96
    abstractive_max_input_tokens: int = 512
    abstractive_num_beams: int = 2

    @property
    def max_words(self) -> int:
        return self.max_sentences * self.words_per_sentence

    @staticmethod
    def from_settings(models: ModelSettings) -> "SummaryConfig":
        return SummaryConfig(max_sentences=models.summary_sentences, abstractive_model_dir=models.summary_model_dir)


class ExtractiveSummarizer:
    def __init__(self, encoder: Encoder | None = None, config: SummaryConfig | None = None, head: SentenceHead | None = None):
        self.config = config or SummaryConfig()
        self.head = head or SentenceHead.load(self.config.head_path)
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from newswatch.enrichment.model_service import get_encoder

            self._encoder = get_encoder()
        return self._encoder

    def select(self, text: str, *, tokenized: bool = False) -> list[str]:
        """The summary sentences, in article order, in the input's own form (dateline removed)."""
        candidates = prepare_sentences(text, tokenized=tokenized, limit=self.head.max_candidates)
        if len(candidates.display) <= self.config.max_sentences:
            chosen = list(range(len(candidates.display)))
        else:
            embeddings = self.encoder.encode(candidates.plain)
            features = sentence_features(candidates.plain, embeddings, candidates.total)
            scores = features @ self.head.coefficients + self.head.intercept
            chosen = select_diverse(scores, embeddings @ embeddings.T, self.config.max_sentences, self.head.redundancy)
        return [strip_dateline(candidates.display[i]) for i in chosen]

    def summarize(self, text: str, *, tokenized: bool = False) -> str:
        """At most ``max_sentences`` sentences and never more than ``max_words`` words, whatever the input."""
        words = " ".join(self.select(text, tokenized=tokenized)).split()
        cap = self.config.max_words
        return " ".join(words) if len(words) <= cap else " ".join(words[:cap]) + " …"


class AbstractiveSummarizer:
    """A local seq2seq model folder (BART, T5, PEGASUS...) generating the summary.

    transformers 5 no longer ships a "summarization" pipeline, so this does
    what that pipeline did: tokenize with truncation, ``generate``, decode.
    """

    def __init__(self, model_dir: Path, config: SummaryConfig | None = None):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.config = config or SummaryConfig()
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").exists():
            raise SummaryModelError(f"no transformers model in {model_dir} (expected config.json)")
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir), local_files_only=True)
        self.model.eval()
        self._lock = threading.Lock()

    def summarize(self, text: str, *, tokenized: bool = False) -> str:
        source = detokenize_ptb(text) if tokenized else text
        inputs = self.tokenizer(source, truncation=True, max_length=self.config.abstractive_max_input_tokens, return_tensors="pt")
        inputs.pop("token_type_ids", None)
        with self._lock, self._torch.inference_mode():
            output = self.model.generate(
                **inputs,
                max_new_tokens=self.config.abstractive_max_new_tokens,
                num_beams=self.config.abstractive_num_beams,
                no_repeat_ngram_size=3,
            )
        return self.tokenizer.decode(output[0], skip_special_tokens=True).strip()


class Summarizer(Protocol):
    def summarize(self, text: str, *, tokenized: bool = False) -> str: ...


def build_summarizer(config: SummaryConfig | None = None, encoder: Encoder | None = None) -> Summarizer:
    """Abstractive when a local model folder is configured, extractive otherwise."""
    config = config or SummaryConfig.from_settings(Settings.from_env().models)
    if config.abstractive_model_dir is not None:
        return AbstractiveSummarizer(config.abstractive_model_dir, config)
    return ExtractiveSummarizer(encoder=encoder, config=config)


__all__ = [
    "AbstractiveSummarizer",
    "ExtractiveSummarizer",
    "FEATURE_NAMES",
    "SentenceHead",
    "SummaryConfig",
    "SummaryModelError",
    "build_summarizer",
    "sentence_features",
    "select_diverse",
    "strip_dateline",
]
