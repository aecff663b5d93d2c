"""Where the shared development datasets are: ../shared/datasets, or NEWSWATCH_SHARED_DATASETS."""
from __future__ import annotations

from pathlib import Path

from newswatch.core.settings import Settings


def shared_datasets_dir() -> Path:
    return Settings.from_env().paths.shared_datasets
