"""``newswatch eval <task>``: quality evaluations that print scores.

Each task module exposes ``register_eval(tasks)`` and is listed in EVAL_MODULES.
"""
from __future__ import annotations

import argparse
import importlib

EVAL_MODULES: list[str] = [
    "extractors.cli",
    "extractors.dedup_eval",
    "extractors.quotes_cli",
    "enrichment.cli",
]


def register(commands: argparse._SubParsersAction) -> None:
    evaluation = commands.add_parser("eval", help="evaluate a stage against a labelled dataset and print scores")
    tasks = evaluation.add_subparsers(dest="eval_task", required=True)
    for module_name in EVAL_MODULES:
        importlib.import_module(module_name).register_eval(tasks)
