#!/usr/bin/env python
"""Merge the harvest folders into datasets/stance-grounded/statements.jsonl, with frozen splits.

Split by story, not by record: records are grouped by source page and by the search query
that found the page (pages found by one query tell one story), and a whole group goes to
one split, chosen by a hash of the group's first URL. A page keeps the split it was given the
first time it was merged (and a new page joins the split its story already has), so the test
split stays frozen as the set grows.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from newswatch_lab.stance_data import GROUNDED_PATH, read_jsonl  # noqa: E402

SPLIT_SHARES = (("test", 0.25), ("dev", 0.15), ("train", 0.60))
FIELDS = ("id", "text", "speaker_type", "form", "source_url", "query", "labels")


def _find(parent: dict[str, str], key: str) -> str:
    while parent.setdefault(key, key) != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def story_groups(records: list[dict]) -> dict[str, str]:
    """Record id -> group key; records sharing a page or a query are in one group."""
    parent: dict[str, str] = {}
    for record in records:
        parent[_find(parent, "q:" + record["query"])] = _find(parent, "u:" + record["source_url"])
    roots: dict[str, list[str]] = {}
    for record in records:
        roots.setdefault(_find(parent, "u:" + record["source_url"]), []).append(record["source_url"])
    first_url = {root: min(urls) for root, urls in roots.items()}
    return {record["id"]: first_url[_find(parent, "u:" + record["source_url"])] for record in records}


def split_of(group: str) -> str:
    fraction = int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    cumulative = 0.0
    for split, share in SPLIT_SHARES:
        cumulative += share
        if fraction < cumulative:
            return split
    return SPLIT_SHARES[-1][0]


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harvest", type=Path, nargs="+", help="records.jsonl files")
    parser.add_argument("--adjudicated", type=Path, default=None, help="JSONL of settled labels ({id, labels}) that replace the first pass's")
    parser.add_argument("--exclude", type=Path, default=None, help="JSONL of records left out ({id, reason}), e.g. another page's rendering of a statement in another split")
    parser.add_argument("--out", type=Path, default=GROUNDED_PATH)
    args = parser.parse_args(argv)
    excluded = {row["id"] for row in read_jsonl(args.exclude)} if args.exclude else set()
    frozen = {row["source_url"]: row["split"] for row in read_jsonl(args.out)} if args.out.exists() else {}
    records, seen = [], set()
    for path in args.harvest:
        for row in read_jsonl(path):
            if normalised(row["text"]) in seen or row["id"] in excluded:
                continue
            seen.add(normalised(row["text"]))
            records.append({name: row[name] for name in FIELDS})
    settled = {row["id"]: row["labels"] for row in read_jsonl(args.adjudicated)} if args.adjudicated else {}
    for record in records:
        record["labels"] = {**record["labels"], **settled.get(record["id"], {})}
    groups = story_groups(records)
    # A new record joins the split its story already has, so no page or story straddles two splits.
    group_split = {groups[r["id"]]: frozen[r["source_url"]] for r in reversed(records) if r["source_url"] in frozen}
    with args.out.open("w", encoding="utf-8") as out:
        for record in records:
            group = groups[record["id"]]
            record["split"] = frozen.get(record["source_url"]) or group_split.get(group) or split_of(group)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts = {split: sum(r["split"] == split for r in records) for split, _ in SPLIT_SHARES}
    print(f"{len(records)} statements from {len({r['source_url'] for r in records})} pages in {len(set(groups.values()))} story groups: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
