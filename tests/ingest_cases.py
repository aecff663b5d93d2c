"""Broken and good HTTP answers shared by the ingestion tests (served by tests/local_server.py)."""
from __future__ import annotations

import zlib
from functools import lru_cache

from local_server import Reply, Request

from newswatch.fetching.safe_fetch import FetchPolicy
from newswatch.fetching.ssrf import AddressPolicy

SIZE_LIMIT = 200_000
DECODED_LIMIT = 1_000_000

# Small limits and short timeouts so every failure shows up in well under a second or two.
TEST_POLICY = FetchPolicy(
    connect_timeout=0.5, read_timeout=0.5, total_timeout=5, max_body_bytes=SIZE_LIMIT, max_decoded_bytes=DECODED_LIMIT,
    max_retries=1, backoff_base=0.05, per_host_interval=0, addresses=AddressPolicy.allowing("127.0.0.1"),
)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(title: str, items: list[tuple[str, str]], encoding: str = "utf-8") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item>" for t, link in items
    )
    return f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'


@lru_cache(maxsize=None)
def gzip_bomb(expanded_bytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(expanded_bytes // len(block))]
    return b"".join(parts) + compressor.flush()


def conditional(reply: Reply, etag: str) -> callable:
    """A route that answers 304 when the client already has ``etag``."""

    def answer(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(reply.status, {**reply.headers, "ETag": etag}, reply.body)

    return answer


GOOD_FEED = rss("Good", [("Label sues AI start-up", "https://good.example/news/label-sues-ai-start-up"),
                         ("Songwriters demand consent", "https://good.example/news/songwriters-demand-consent")]).encode()
MALFORMED_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Broken</title>'
    '<item><title>First story survives</title><link>https://broken.example/first-story-survives</link></item>'
    '<item><title>Second &nbsp; story</title><link>https://broken.example/second-story-survives</link></item>'
    '<item><title>Unclosed'
).encode()
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Welcome</p></body></html>"
PNG_BODY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
# UTF-8 bytes, but both the header and the XML declaration claim ISO-8859-1.
MISLABELLED_FEED = rss("Société", [("Café owners and naïve AI: “opt-out” debate", "https://charset.example/cafe-naive-ai-opt-out")], "iso-8859-1").encode("utf-8")
MISLABELLED_TITLE = "Café owners and naïve AI: “opt-out” debate"


def broken_routes() -> dict[str, object]:
    """One route per failure the issue lists, plus a good feed with ETag support."""
    return {
        "/good.xml": conditional(Reply(200, RSS, GOOD_FEED), '"good-v1"'),
        "/malformed.xml": Reply(200, RSS, MALFORMED_FEED),
        "/html-as-feed.xml": Reply(200, {"Content-Type": "application/rss+xml"}, HTML_PAGE),
        "/huge.xml": Reply(200, RSS, b"<rss>" + b"x" * (SIZE_LIMIT * 3), send_length=False),
        "/bomb.xml": Reply(200, {**RSS, "Content-Encoding": "gzip"}, gzip_bomb(20 * DECODED_LIMIT)),
        "/binary.xml": Reply(200, {"Content-Type": "application/rss+xml"}, PNG_BODY),
        "/mislabelled.xml": Reply(200, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}, MISLABELLED_FEED),
        "/loop-a": Reply(302, {"Location": "/loop-b"}),
        "/loop-b": Reply(301, {"Location": "/loop-a"}),
        "/to-private": Reply(302, {"Location": "http://169.254.169.254/latest/meta-data/feed.xml"}),
        "/slow.xml": Reply(200, RSS, GOOD_FEED, delay=2.0),
    }
