"""``newswatch bench <task>``: speed and memory benchmarks that print tables.

Each task module exposes ``register_bench(tasks)`` and is listed in BENCH_MODULES.
"""
from __future__ import annotations

import argparse
import importlib

BENCH_MODULES: list[str] = [
    "newswatch.pipeline_bench",
    "enrichment.cli",
]


def register(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="run a benchmark and print a table")
    tasks = bench.add_subparsers(dest="bench_task", required=True)
    for module_name in BENCH_MODULES:
        importlib.import_module(module_name).register_bench(tasks)
