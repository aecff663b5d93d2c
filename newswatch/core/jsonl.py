"""JSON-lines input for the command-line tools (quotes, summarize, stance): one reader, one error shape.

Every non-blank input line becomes either a JSON object or a ``LineError``; a bad line
(invalid UTF-8, a lone surrogate, not JSON, not an object) never costs the lines around
it. Errors are written as ``{"id": ..., "error": {"type": ..., "message": ...}}`` and a
tool exits 1 when any line failed, 0 otherwise.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO


@dataclass(frozen=True)
class LineError:
    number: int
    type: str
    message: str
    item_id: str | None = None

    def record(self) -> dict:
        return error_record(self.item_id, self.type, f"line {self.number}: {self.message}")


def error_record(item_id: str | None, error_type: str, message: str) -> dict:
    return {"id": item_id, "error": {"type": error_type, "message": message}}


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_line(raw: bytes | str, number: int) -> dict | LineError:
    """One line as a JSON object, or the reason it is not one."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return LineError(number, "InvalidEncoding", f"not valid UTF-8 (byte {exc.start})")
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return LineError(number, "InvalidJSON", f"not valid JSON ({exc.msg})")
    if not isinstance(item, dict):
        return LineError(number, "InvalidItem", "expected a JSON object")
    if _has_lone_surrogate(item):
        return LineError(number, "InvalidEncoding", "a string holds a lone surrogate (not encodable as UTF-8)", item_id=_item_id(item))
    return item


def _item_id(item: dict) -> str | None:
    return None if item.get("id") is None else str(item["id"])


def json_lines(stream: BinaryIO | TextIO | Iterable[bytes | str]) -> Iterator[tuple[int, dict | LineError]]:
    """(line number, object or LineError) for every non-blank line; reads bytes so no line can break the rest."""
    for number, raw in enumerate(getattr(stream, "buffer", stream), start=1):
        if raw.strip():
            yield number, parse_line(raw, number)


def write_record(out: TextIO, record: dict) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def exit_code(failed: int) -> int:
    """The one exit-code rule of the JSON-lines tools."""
    if failed:
        print(f"{failed} line(s) failed; see their error records", file=sys.stderr)
    return 1 if failed else 0


def read_jsonl(path: Path | str) -> list[dict]:
    """Every non-blank line of a JSON-lines data file; ValueError naming the file and line otherwise."""
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not valid JSON: {exc}") from exc
    return rows
