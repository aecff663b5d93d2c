"""``newswatch summarize``: JSON lines ``{"id", "text"}`` in, ``{"id", "summary"}`` out.

A bad line gives its error record and the run goes on (``newswatch.commands.json_lines``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newswatch.commands.json_lines import ItemRejected, one_at_a_time, run_json_lines
from newswatch.core.jsonl import exit_code
from newswatch.core.settings import Settings


def summary_record(item: dict, summarizer, tokenized: bool) -> dict:
    """The output record of one input object; raises for a refused item."""
    if not isinstance(item.get("text"), str):
        raise ItemRejected('expected an object with a string "text"')
    return {"id": item.get("id"), "summary": summarizer.summarize(item["text"], tokenized=tokenized)}


def _summarize(args: argparse.Namespace) -> int:
    from newswatch.enrichment.summarize import SummaryConfig, build_summarizer

    configured = SummaryConfig.from_settings(Settings.from_env().models)
    config = SummaryConfig(
        max_sentences=args.sentences or configured.max_sentences,
        abstractive_model_dir=args.model_dir or configured.abstractive_model_dir,
    )
    summarizer = build_summarizer(config)
    _, failed = run_json_lines(sys.stdin, sys.stdout, one_at_a_time(lambda item: [summary_record(item, summarizer, args.tokenized)]))
    return exit_code(failed)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("summarize", help='summaries of JSON-lines articles {"id","text"} (stdin -> stdout)')
    parser.add_argument("--sentences", type=int, default=None, help="sentences per extractive summary (default NEWSWATCH_SUMMARY_SENTENCES or 3)")
    parser.add_argument("--tokenized", action="store_true", help="input is lowercased PTB-tokenized text (the CNN/DailyMail set)")
    parser.add_argument("--model-dir", type=Path, default=None, help="local seq2seq model folder: abstractive summaries (default NEWSWATCH_SUMMARY_MODEL_DIR)")
    parser.set_defaults(handler=_summarize)
