"""A small local web server for the demo corpus.

It behaves like the real sites the pipeline polls: correct content types,
ETag and Last-Modified validators with 304 answers to conditional GETs, a
robots.txt, extension-less article URLs, and query strings (tracking
parameters) ignored. Every ``{{BASE_URL}}`` in a served file becomes the
server's own address, so feeds and canonical links are absolute and right on
whatever port it got.

``/wavelane/legal/terms-of-service`` serves one of the three versions in
``demo/terms`` (``set_terms_version``), so the terms watch can see the page
change under the same URL; ``/terms/<file>`` serves a version directly.

From tests::

    with DemoServer() as server:          # 127.0.0.1, random free port
        requests.get(server.url("/fpca/newsroom/rss.xml"))

From a shell (the demo command)::

    python -m newswatch_lab.demo_server --port 8765
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import threading
from collections import deque
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from newswatch_lab.demo_corpus import (
    CORPUS_DIR,
    PLACEHOLDER,
    TERMS_DIR,
    TERMS_PATH,
    terms_versions,
)

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/x-gzip",
}


class Resource(NamedTuple):
    body: bytes
    content_type: str
    last_modified: datetime
    etag: str


def content_type_for(path: Path, body: bytes) -> str:
    """Content type from the extension; .xml files are told apart by their root element."""
    if path.suffix == ".xml":
        head = body[:512]
        if b"<rss" in head:
            return "application/rss+xml; charset=utf-8"
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    return TEXT_TYPES.get(path.suffix, "application/octet-stream")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses weak comparison: W/ prefixes are ignored, '*' matches anything."""
    candidates = [token.strip() for token in header.split(",")]
    return "*" in candidates or any(token.removeprefix("W/") == etag for token in candidates)


class DemoServer:
    """The demo corpus on a local threaded HTTP server; a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, terms_version: int = 1,
                 corpus_dir: Path = CORPUS_DIR, terms_dir: Path = TERMS_DIR, verbose: bool = False) -> None:
        self.corpus_dir = corpus_dir.resolve()
        self.terms_dir = terms_dir.resolve()
        self.verbose = verbose
        # (method, path, status) of recent requests, for tests that count fetches or 304s.
        self.request_log: deque[tuple[str, str, int]] = deque(maxlen=100_000)
        self._lock = threading.Lock()
        self._terms_version = 1
        self._terms_changed_at = datetime.now(timezone.utc).replace(microsecond=0)
        self.set_terms_version(terms_version)
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of a path such as '/fpca/newsroom/rss.xml' (or one that already has the placeholder)."""
        return path.replace(PLACEHOLDER, self.base_url) if PLACEHOLDER in path else self.base_url + path

    @property
    def terms_version(self) -> int:
        return self._terms_version

    def set_terms_version(self, version: int) -> None:
        """Switch the live terms page; its Last-Modified moves strictly forward so date-only clients see it."""
        if not self._terms_file(version).is_file():
            raise ValueError(f"no terms version {version} in {self.terms_dir}")
        with self._lock:
            if version != self._terms_version:
                now = datetime.now(timezone.utc).replace(microsecond=0)
                self._terms_changed_at = max(now, self._terms_changed_at + timedelta(seconds=1))
            self._terms_version = version

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the command-line use)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def resolve(self, url_path: str) -> Resource | None:
        """The resource a URL path names (query and fragment ignored), or None for a 404."""
        path = unquote(urlsplit(url_path).path)
        last_modified = None
        if path.rstrip("/") == TERMS_PATH:
            with self._lock:
                file = self._terms_file(self._terms_version)
                last_modified = self._terms_changed_at
        elif path.startswith("/terms/"):
            file = self._find(self.terms_dir, path.removeprefix("/terms/"))
        else:
            file = self._find(self.corpus_dir, path.lstrip("/"))
        if file is None or not file.is_file():
            return None
        body = self._with_base_url(file)
        if last_modified is None:
            last_modified = datetime.fromtimestamp(int(file.stat().st_mtime), timezone.utc)
        return Resource(body, content_type_for(file, body), last_modified, _etag(body))

    def _with_base_url(self, file: Path) -> bytes:
        """The file's bytes with the placeholder replaced; inside a .gz file (a gzipped sitemap) too."""
        raw = file.read_bytes()
        if file.suffix == ".gz":
            inner = gzip.decompress(raw).replace(PLACEHOLDER.encode(), self.base_url.encode())
            return gzip.compress(inner, mtime=0)
        return raw.replace(PLACEHOLDER.encode(), self.base_url.encode())

    def _terms_file(self, version: int) -> Path:
        return self.terms_dir / f"wavelane-terms-v{version}.html"

    @staticmethod
    def _find(root: Path, relative: str) -> Path | None:
        """The file for a path under root: as is, index.html for folders, .html for bare article URLs."""
        target = (root / relative).resolve()
        if target != root and root not in target.parents:
            return None  # '..' tricks stay inside the corpus
        if target.is_dir():
            return target / "index.html"
        if not target.exists() and target.suffix == "":
            return target.with_name(target.name + ".html")
        return target


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "NewswatchDemo/1.0"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            resource = server.resolve(self.path)
            if resource is None:
                self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", send_body)
                return
            validators = {
                "ETag": resource.etag,
                "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
                "Cache-Control": "public, max-age=0, must-revalidate",
            }
            if self._not_modified(resource):
                self._send(HTTPStatus.NOT_MODIFIED, b"", None, send_body, validators)
            else:
                self._send(HTTPStatus.OK, resource.body, resource.content_type, send_body, validators)

        def _not_modified(self, resource: Resource) -> bool:
            # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts without it.
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return _etag_matches(if_none_match, resource.etag)
            if_modified_since = self.headers.get("If-Modified-Since")
            if if_modified_since:
                try:
                    since = parsedate_to_datetime(if_modified_since)
                except (TypeError, ValueError):
                    return False  # an unparsable date is ignored, as the RFC says
                if since.tzinfo is None:
                    since = since.replace(tzinfo=timezone.utc)
                return resource.last_modified <= since
            return False

        def _send(self, status: HTTPStatus, body: bytes, content_type: str | None, send_body: bool,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Type", content_type or "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and status != HTTPStatus.NOT_MODIFIED:
                self.wfile.write(body)
            server.record(self.command, self.path, int(status))

        def log_message(self, format: str, *args: object) -> None:
            if server.verbose:
                super().log_message(format, *args)

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the bundled demo corpus on a local port.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--terms-version", type=int, choices=terms_versions(), default=1)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    server = DemoServer(args.host, args.port, terms_version=args.terms_version, verbose=not args.quiet)
    print(f"Serving the demo corpus at {server.base_url} (sources: demo/sources.yaml); Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
