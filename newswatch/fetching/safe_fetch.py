"""A fetcher for untrusted URLs (feeds, listing pages, articles).

Every request goes through the same checks, in this order, on every redirect hop:

1. the URL is absolute http(s);
2. robots.txt of the host allows our user agent (one decision per host and TTL, kept in the
   politeness book: this process's, or one shared by every worker, ``newswatch.fetching.politeness``);
3. the host's addresses pass the SSRF policy (``newswatch.fetching.ssrf``), and the
   connection goes to the checked address (no second DNS lookup);
4. the per-host rate limit is respected (a request slot booked in the same politeness book);
5. the response is read as a stream under a wall-clock deadline, refusing a
   body over ``max_body_bytes`` on the wire or ``max_decoded_bytes`` after
   gzip/deflate (compression bombs);
6. 429, 5xx, timeouts and connection errors are retried with exponential
   back-off (``Retry-After`` honoured up to ``backoff_max``);
7. the body is sniffed (feed, HTML, text, binary) and refused when it is not
   what the caller asked for, then decoded with charset detection.

Redirects are followed by hand (never by the HTTP library) so each hop is checked.
Every refusal is a ``FetchError`` subclass with a ``reason`` code.

urllib3 (the library under requests) is used directly because only at that
level can a connection be pinned to an already-vetted IP address while TLS
still verifies the certificate against the host name.
"""
from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import certifi
import urllib3
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from newswatch.core.settings import FetchSettings
from newswatch.fetching.content import (
    ContentKind,
    DecodedText,
    decode_body,
    parse_content_type,
    sniff,
)
from newswatch.fetching.errors import (
    BadContentEncoding,
    BadRedirect,
    BinaryContent,
    BlockedAddress,
    BodyDeadlineExceeded,
    ConnectionFailed,
    DecompressionBomb,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidFetchURL,
    RedirectLoop,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    UnexpectedContent,
)
from newswatch.fetching.politeness import LocalPoliteness, PolitenessBook, RobotsRecord
from newswatch.fetching.ssrf import AddressPolicy

log = logging.getLogger(__name__)

USER_AGENT = "NewswatchBot/0.1 (news monitoring on AI and artists' rights; +https://github.com/newswatch)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1",
    "html": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    "text": "text/plain, */*;q=0.1",
}
_CHUNK = 64 * 1024
_POOL_SIZE = 16  # connections kept per host: as many as polling threads


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # per socket read
    total_timeout: float = 60.0  # whole response, so a server trickling bytes cannot hold us
    max_body_bytes: int = 5 * 1024 * 1024  # on the wire
    max_decoded_bytes: int = 20 * 1024 * 1024  # after gzip/deflate
    max_redirects: int = 5
    max_retries: int = 2
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    per_host_interval: float = 1.0  # seconds between two requests to one host
    obey_robots: bool = True
    robots_ttl: float = 6 * 3600
    robots_error_ttl: float = 600  # an unreachable robots.txt is retried sooner
    robots_max_bytes: int = 512 * 1024
    user_agent: str = USER_AGENT
    addresses: AddressPolicy = field(default_factory=AddressPolicy)

    @classmethod
    def from_settings(cls, fetch: FetchSettings, extra_allowed: Iterable[str] = ()) -> "FetchPolicy":
        """Defaults, plus the SSRF exceptions (NEWSWATCH_FETCH_ALLOW) and the per-host interval."""
        return cls(addresses=AddressPolicy.allowing(*fetch.allow, *extra_allowed), per_host_interval=fetch.per_host_interval)


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""
    content_type: str = ""  # declared media type, without parameters
    kind: ContentKind | None = None  # sniffed
    decoded: DecodedText | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def text(self) -> str:
        return self.decoded.text if self.decoded else ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def charset_mismatch(self) -> bool:
        return bool(self.decoded and self.decoded.charset_mismatch)


class _BodyDecoder:
    """Undo one Content-Encoding layer while counting output, so a bomb stops at the limit."""

    def __init__(self, encoding: str, url: str, limit: int):
        self.url = url
        self.limit = limit
        self.size = 0
        self.encoding = encoding
        self._raw_deflate_tried = False
        if encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            self._inflater = None

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise DecompressionBomb(self.url, f"{self.encoding} body expands beyond {self.limit} bytes; refused")
        return data

    def feed(self, chunk: bytes) -> bytes:
        if self._inflater is None:
            return self._count(chunk)
        try:
            # max_length caps the output of this call: at most limit+1 bytes ever sit in memory.
            return self._count(self._inflater.decompress(chunk, self.limit - self.size + 1))
        except zlib.error as exc:
            if self.encoding == "deflate" and not self._raw_deflate_tried and self.size == 0:
                # "deflate" is zlib-wrapped by the standard, raw in some servers.
                self._raw_deflate_tried = True
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(chunk)
            raise BadContentEncoding(self.url, f"corrupt {self.encoding} body: {exc}") from exc

    def finish(self) -> bytes:
        if self._inflater is None:
            return b""
        if not self._inflater.eof:
            raise BadContentEncoding(self.url, f"truncated {self.encoding} body")
        return self._count(self._inflater.flush())


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _split_url(url: str) -> tuple[str, str, int, str]:
    """scheme, host, port and request target (path + query) of an absolute http(s) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidFetchURL(url, "invalid port") from exc
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidFetchURL(url, "only absolute http(s) URLs are fetched")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), target


def _netloc(scheme: str, host: str, port: int) -> str:
    """``host[:port]`` as in a URL or Host header (IPv6 in brackets, default port omitted)."""
    bracketed = f"[{host}]" if ":" in host else host
    return bracketed if port == (443 if scheme == "https" else 80) else f"{bracketed}:{port}"


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


class Fetcher:
    """Thread-safe: one instance is shared by all polling threads (rate limit and robots cache).

    ``politeness`` holds the per-host request slots and robots.txt decisions: by default this
    process's own; pass a shared book so that they hold across worker processes.
    """

    def __init__(self, policy: FetchPolicy | None = None, politeness: PolitenessBook | None = None):
        self.policy = policy or FetchPolicy()
        self.politeness = politeness or LocalPoliteness()
        self._pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
        self._pools_lock = threading.Lock()
        # Parsed robots.txt per origin until its decision expires: no book lookup on every request.
        self._robots: dict[str, tuple[float, RobotFileParser | None, str | None]] = {}
        self._robots_lock = threading.Lock()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        with self._pools_lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()

    # -- public API ---------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        expect: Iterable[ContentKind] = ("html",),
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET ``url`` and return its decoded body, or raise a ``FetchError``.

        ``expect`` lists the content kinds the caller can use (``"feed"``, ``"html"``,
        ``"text"``, or ``"binary"`` for a gzip file, whose ``decoded`` stays None); anything
        else is refused. A 304 answer (when ``etag`` or
        ``last_modified`` is given) returns a result with ``not_modified`` and no body.
        """
        accepted = frozenset(expect)
        headers = {"Accept": ACCEPT["feed" if "feed" in accepted else "html" if "html" in accepted else "text"]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = self._follow(url, headers, self.policy.max_body_bytes, check_robots=self.policy.obey_robots)
        if result.not_modified:
            return result
        self._classify(result, accepted)
        return result

    def gunzip(self, result: FetchResult) -> bytes:
        """The content of a body that is itself a gzip file (a ``.xml.gz`` sitemap fetched with
        ``expect`` including ``"binary"``), refused past the same cap as a gzip Content-Encoding."""
        decoder = _BodyDecoder("gzip", result.final_url, self.policy.max_decoded_bytes)
        return decoder.feed(result.body) + decoder.finish()

    # -- redirects, robots, retries -----------------------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], max_bytes: int, check_robots: bool) -> FetchResult:
        current = _without_fragment(url.strip())
        chain: list[str] = []
        seen = {current}
        while True:
            if check_robots:
                self._check_robots(current)
            response = self._request_with_retries(current, headers, max_bytes)
            if response.status not in REDIRECT_STATUSES:
                response.url = url
                response.redirects = chain
                return response
            location = response.headers.get("location")
            if not location:
                raise BadRedirect(current, f"HTTP {response.status} redirect without a Location header", status=response.status)
            target = _without_fragment(urljoin(current, location.strip()))
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                raise BadRedirect(current, f"redirect to a non-http(s) URL {target!r}", status=response.status)
            chain.append(target)
            if target in seen:
                raise RedirectLoop(url, "redirect loop: " + " -> ".join([url, *chain]), status=response.status)
            if len(chain) > self.policy.max_redirects:
                raise TooManyRedirects(url, f"more than {self.policy.max_redirects} redirects", status=response.status)
            seen.add(target)
            current = target

    def _request_with_retries(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult:
        attempt = 0
        while True:
            try:
                response = self._request(url, headers, max_bytes)
                if response.status >= 400:
                    raise HTTPStatusError(
                        url, f"HTTP {response.status}", status=response.status,
                        retry_after=_retry_after_seconds(response.headers.get("retry-after")),
                    )
                return response
            except FetchError as exc:
                if not exc.retryable or attempt >= self.policy.max_retries:
                    raise
                delay = self.policy.backoff_base * (2 ** attempt) * (1 + random.random() / 4)
                retry_after = getattr(exc, "retry_after", None)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                delay = min(delay, self.policy.backoff_max)
                log.info("retrying %s in %.2fs after %s", url, delay, exc)
                time.sleep(delay)
                attempt += 1

    def _robots_for(self, scheme: str, host: str, port: int) -> tuple[RobotFileParser | None, str | None]:
        origin = f"{scheme}://{_netloc(scheme, host, port)}"
        with self._robots_lock:
            cached = self._robots.get(origin)
        if cached and cached[0] > time.time():
            return cached[1], cached[2]
        record = self.politeness.robots(origin) or self.politeness.publish_robots(origin, self._read_robots(origin))
        parser = None
        if record["text"] is not None:
            parser = RobotFileParser(f"{origin}/robots.txt")
            parser.parse(record["text"].splitlines())
        with self._robots_lock:
            self._robots[origin] = (record["expires_at"], parser, record["refusal"])
        return parser, record["refusal"]

    def _read_robots(self, origin: str) -> RobotsRecord:
        """Fetch the origin's robots.txt and decide: a file to obey, everything allowed, or disallow-all."""
        robots_url = f"{origin}/robots.txt"
        text: str | None = None
        refusal: str | None = None
        ttl = self.policy.robots_ttl
        try:
            result = self._follow(robots_url, {"Accept": ACCEPT["text"]}, self.policy.robots_max_bytes, check_robots=False)
            text = decode_body(result.body).text
        except HTTPStatusError as exc:
            if exc.status is None or not 400 <= exc.status < 500:
                refusal, ttl = f"robots.txt unavailable ({exc}); treated as disallow-all (RFC 9309 2.3.1.4)", self.policy.robots_error_ttl
            # else no robots.txt: everything is allowed (RFC 9309 2.3.1.3)
        except (FetchTimeout, ConnectionFailed) as exc:
            refusal, ttl = f"robots.txt unreachable ({exc}); treated as disallow-all (RFC 9309 2.3.1.4)", self.policy.robots_error_ttl
        except BlockedAddress:
            raise  # the host itself is refused: say so, not something about robots.txt
        except FetchError as exc:
            # An oversized, redirect-looping or otherwise broken robots.txt says nothing usable.
            log.info("ignoring unusable robots.txt of %s: %s", origin, exc)
        return RobotsRecord(text=text, refusal=refusal, expires_at=time.time() + ttl)

    def _check_robots(self, url: str) -> None:
        scheme, host, port, _ = _split_url(url)
        parser, refusal = self._robots_for(scheme, host.lower(), port)
        if refusal:
            raise RobotsDisallowed(url, refusal)
        if parser is not None and not parser.can_fetch(self.policy.user_agent, url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")

    # -- one HTTP exchange ------------------------------------------------------------------------

    def _wait_for_slot(self, host: str) -> None:
        if self.policy.per_host_interval <= 0:
            return
        delay = self.politeness.reserve(host, self.policy.per_host_interval)
        if delay > 0:
            time.sleep(delay)

    def _pool(self, scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
        key = (scheme, address, port, host)
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is None:
                timeout = urllib3.Timeout(connect=self.policy.connect_timeout, read=self.policy.read_timeout)
                if scheme == "https":
                    # Connect to the vetted IP; SNI and certificate checks use the host name.
                    pool = urllib3.HTTPSConnectionPool(
                        address, port, timeout=timeout, maxsize=_POOL_SIZE, retries=False,
                        cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                        server_hostname=host, assert_hostname=host,
                    )
                else:
                    pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=_POOL_SIZE, retries=False)
                self._pools[key] = pool
            return pool

    def _request(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult:
        scheme, host, port, target = _split_url(url)
        addresses = self.policy.addresses.resolve(url, host, port)
        self._wait_for_slot(host.lower())
        request_headers = {
            "Host": _netloc(scheme, host, port),
            "User-Agent": self.policy.user_agent,
            "Accept-Encoding": "gzip, deflate",
            **headers,
        }
        deadline = time.monotonic() + self.policy.total_timeout
        last_error: Exception | None = None
        for address in addresses:  # all vetted; try them in DNS order
            try:
                raw = self._pool(scheme, address, port, host).urlopen(
                    "GET", target, headers=request_headers, redirect=False, retries=False,
                    preload_content=False, decode_content=False, assert_same_host=False,
                )
            except Urllib3Timeout as exc:
                last_error = FetchTimeout(url, f"no answer within {self.policy.connect_timeout:g}s/{self.policy.read_timeout:g}s")
                last_error.__cause__ = exc
                continue
            except SSLError as exc:
                raise ConnectionFailed(url, f"TLS error: {exc}") from exc
            except Urllib3HTTPError as exc:
                last_error = ConnectionFailed(url, f"connection failed: {exc}")
                last_error.__cause__ = exc
                continue
            try:
                return self._read(url, raw, max_bytes, deadline)
            finally:
                raw.release_conn()
        assert last_error is not None
        raise last_error

    def _read(self, url: str, raw: urllib3.BaseHTTPResponse, max_bytes: int, deadline: float) -> FetchResult:
        headers = {name.lower(): value for name, value in raw.headers.items()}
        status = raw.status
        result = FetchResult(url=url, final_url=url, status=status, headers=headers)
        declared_length = headers.get("content-length", "")
        if status == 304 or status in REDIRECT_STATUSES or status >= 400:
            # The body of these answers is not used: keep the connection only if draining is cheap.
            if status == 304 or (declared_length.isdigit() and int(declared_length) <= _CHUNK):
                raw.drain_conn()
            else:
                raw.close()
            return result
        if declared_length.isdigit() and int(declared_length) > max_bytes:
            raw.close()  # don't download what we will refuse
            raise TooLarge(url, f"Content-Length {declared_length} exceeds the limit of {max_bytes} bytes")
        encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",") if e.strip() and e.strip().lower() != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raw.close()
            raise BadContentEncoding(url, f"unsupported Content-Encoding {headers['content-encoding']!r}")
        decoder = _BodyDecoder(encodings[0] if encodings else "identity", url, self.policy.max_decoded_bytes)
        received = 0
        parts: list[bytes] = []
        try:
            while True:
                if time.monotonic() > deadline:
                    raise BodyDeadlineExceeded(url, f"body not complete after {self.policy.total_timeout:g}s")
                # read1 returns as soon as any bytes arrive, so the deadline is checked after
                # every byte of a server that drips its answer, not only between full chunks.
                chunk = raw.read1(_CHUNK, decode_content=False)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise TooLarge(url, f"body exceeds the limit of {max_bytes} bytes")
                parts.append(decoder.feed(chunk))
            parts.append(decoder.finish())
        except Urllib3Timeout as exc:
            raw.close()
            raise FetchTimeout(url, f"body read stalled for more than {self.policy.read_timeout:g}s") from exc
        except Urllib3HTTPError as exc:
            raw.close()
            raise ConnectionFailed(url, f"connection broken while reading the body: {exc}") from exc
        except FetchError:
            raw.close()
            raise
        result.body = b"".join(parts)
        return result

    # -- content checks -----------------------------------------------------------------------------

    @staticmethod
    def _classify(result: FetchResult, accepted: frozenset[str]) -> None:
        media_type, charset = parse_content_type(result.headers.get("content-type"))
        result.content_type = media_type
        result.kind = sniff(result.body[:4096], media_type)
        if result.kind == "binary" and "binary" not in accepted:
            raise BinaryContent(result.final_url, f"binary body (declared {media_type or 'no type'}); refused", status=result.status)
        if result.kind not in accepted:
            wanted = " or ".join(sorted(accepted))
            raise UnexpectedContent(
                result.final_url, f"expected {wanted} but got {result.kind} (declared {media_type or 'no type'})",
                kind=result.kind, status=result.status,
            )
        if result.kind != "binary":
            result.decoded = decode_body(result.body, charset)
