"""The lab's subcommands of ``newswatch``: ``demo``, ``eval ...`` and ``bench ...``.

Offered through the ``newswatch.commands`` entry point (pyproject.toml), so the runtime's
command line lists them wherever the lab is installed without ever importing the lab.
"""
from __future__ import annotations

import argparse
import importlib

# (group, help, hook, modules): each module adds its tasks to the group through ``hook``.
COMMAND_GROUPS = [
    ("eval", "evaluate a stage against a labelled dataset and print scores", "register_eval", [
        "newswatch_lab.extraction_cli",
        "newswatch_lab.near_duplicates_eval",
        "newswatch_lab.quotes_cli",
        "newswatch_lab.enrichment_cli",
        "newswatch_lab.stance_eval",
    ]),
    ("bench", "run a benchmark and print a table", "register_bench", [
        "newswatch_lab.pipeline_bench",
        "newswatch_lab.enrichment_cli",
    ]),
]


def register(commands: argparse._SubParsersAction) -> None:
    importlib.import_module("newswatch_lab.demo").register(commands)
    for name, help_text, hook, module_names in COMMAND_GROUPS:
        tasks = commands.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_task", required=True)
        for module_name in module_names:
            getattr(importlib.import_module(module_name), hook)(tasks)
