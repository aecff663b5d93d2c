"""The one runner of the JSON-lines tools (``quotes``, ``summarize``, ``stance``).

Each non-blank input line is one item; a tool's handler turns a batch of items into, per
item, its output records or the exception that refused it. Whatever goes wrong with one line
(bad bytes, bad JSON, a refused text, a failing model) becomes that line's error record,
``{"id", "error": {"type", "message"}}``, and the other lines go on. Exit status: 1 when any
line failed, else 0.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TextIO

from newswatch.core.jsonl import LineError, error_record, json_lines, write_record

# A handler gets the batch's items and returns, per item, its records or its exception.
BatchHandler = Callable[[list[dict]], list[list[dict] | Exception]]


class ItemRejected(ValueError):
    """An input object a tool cannot take (no text, an unknown target): reported as InvalidItem."""


def failure_record(item: dict, exc: Exception, number: int | None = None) -> dict:
    """The error record of one item that failed; ``number`` (the input line) prefixes the message."""
    item_id = None if item.get("id") is None else item["id"]
    message = str(exc) or repr(exc)
    if number is not None:
        message = f"line {number}: {message}"
    return error_record(item_id, "InvalidItem" if isinstance(exc, ItemRejected) else type(exc).__name__, message)


def one_at_a_time(handle_item: Callable[[dict], list[dict]]) -> BatchHandler:
    """A batch handler from a per-item one: an item's exception stays that item's."""

    def handle(items: list[dict]) -> list[list[dict] | Exception]:
        outcomes: list[list[dict] | Exception] = []
        for item in items:
            try:
                outcomes.append(handle_item(item))
            except Exception as exc:  # noqa: BLE001 - one bad item must never stop the batch
                outcomes.append(exc)
        return outcomes

    return handle


def _batches(numbered: Iterable[tuple[int, dict | LineError]], size: int) -> Iterator[list[tuple[int, dict | LineError]]]:
    batch: list[tuple[int, dict | LineError]] = []
    for entry in numbered:
        batch.append(entry)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_json_lines(lines: BinaryIO | TextIO | Iterable[bytes | str], out: TextIO, handle: BatchHandler, batch_size: int = 1) -> tuple[int, int]:
    """Run ``handle`` over every line; returns (items, items that failed), each failure reported in place."""
    items_seen = failed = 0
    for batch in _batches(json_lines(lines), batch_size):
        good = [item for _, item in batch if not isinstance(item, LineError)]
        try:
            outcomes = iter(handle(good))
        except Exception as exc:  # noqa: BLE001 - a failing model fails the batch's lines, not the run
            outcomes = iter([exc] * len(good))
        for number, item in batch:
            items_seen += 1
            if isinstance(item, LineError):
                records = [item.record()]
            else:
                outcome = next(outcomes)
                records = [failure_record(item, outcome, number)] if isinstance(outcome, Exception) else outcome
            failed += any("error" in record for record in records)
            for record in records:
                write_record(out, record)
    return items_seen, failed
