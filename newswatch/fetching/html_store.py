"""The original HTML of every fetched page, gzip-compressed on disk, for re-extraction.

A page is stored under ``<html_store_dir>/<ab>/<url hash>.html.gz``; the
returned ``html_ref`` is that path relative to the store, which is what
``Article.html_ref`` keeps. Each file is one gzip stream holding a JSON header
line (URL, content type, fetch time) and then the body bytes exactly as
received, so a later extractor sees the same bytes and the same declared
charset the first one saw. Writes are atomic (temporary file, then rename).
"""
from __future__ import annotations

import gzip
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newswatch.core.model import stable_id, utcnow
from newswatch.core.settings import Settings
from newswatch.fetching.content import DecodedText, decode_body, parse_content_type


@dataclass(frozen=True)
class StoredPage:
    url: str
    content_type: str | None
    fetched_at: datetime
    body: bytes

    def decoded(self) -> DecodedText:
        return decode_body(self.body, parse_content_type(self.content_type)[1])

    @property
    def text(self) -> str:
        return self.decoded().text


class HtmlStore:
    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def from_settings(cls, settings: Settings) -> "HtmlStore":
        return cls(settings.paths.html_store_dir)

    @staticmethod
    def ref_for(url: str) -> str:
        key = stable_id(url)
        return f"{key[:2]}/{key}.html.gz"

    def path(self, html_ref: str) -> Path:
        path = (self.directory / html_ref).resolve()
        if self.directory.resolve() not in path.parents:
            raise ValueError(f"html_ref {html_ref!r} points outside the store")
        return path

    def save(self, url: str, body: bytes, content_type: str | None = None, fetched_at: datetime | None = None) -> str:
        """Store one page (replacing an earlier copy of the same URL) and return its html_ref."""
        html_ref = self.ref_for(url)
        target = self.path(html_ref)
        target.parent.mkdir(parents=True, exist_ok=True)
        header = {"url": url, "content_type": content_type, "fetched_at": (fetched_at or utcnow()).isoformat()}
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                zipped.write(json.dumps(header).encode("utf-8") + b"\n")
                zipped.write(body)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return html_ref

    def load(self, html_ref: str) -> StoredPage:
        """The stored page; FileNotFoundError if it was never stored (or was pruned)."""
        with gzip.open(self.path(html_ref), "rb") as zipped:
            header = json.loads(zipped.readline())
            body = zipped.read()
        return StoredPage(
            url=header["url"],
            content_type=header.get("content_type"),
            fetched_at=datetime.fromisoformat(header["fetched_at"]),
            body=body,
        )
