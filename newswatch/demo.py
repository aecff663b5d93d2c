"""``newswatch demo``: the README's first command (placeholder until the DAG lands)."""
from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> int:
    raise SystemExit("demo not yet implemented")


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="run the main job end to end on the bundled demo corpus and print results")
    demo.set_defaults(handler=_demo)
