"""The project's labelled relevance items, read and encoded the way production encodes articles and quotes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newswatch.core.settings import REPO_ROOT
from newswatch.enrichment.relevance import Encoder, article_units, mean_vector

DEFAULT_DATASET = REPO_ROOT / "datasets" / "relevance" / "relevance.jsonl"
LABELS = {"relevant": 1, "off_topic": 0}


@dataclass(frozen=True)
class LabelledItem:
    id: str
    kind: str  # "article" or "quote"
    title: str | None
    text: str
    relevant: bool
    group: str


def load_labelled(path: Path = DEFAULT_DATASET) -> list[LabelledItem]:
    items = []
    with Path(path).open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append(
                    LabelledItem(
                        id=row["id"],
                        kind=row.get("kind", "article"),
                        title=row.get("title"),
                        text=row["text"],
                        relevant=bool(LABELS[row["label"]]),
                        group=row.get("group", ""),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_number}: not a relevance record ({exc!r})") from exc
    return items


def item_vectors(items: list[LabelledItem], encoder: Encoder) -> np.ndarray:
    """Labelled items encoded the way production encodes them (articles by units, quotes whole)."""
    vectors = []
    for item in items:
        units = article_units(item.title, item.text) if item.kind == "article" else [item.text]
        vectors.append(mean_vector(encoder.encode(units)))
    return np.stack(vectors)
