"""The safe fetcher against a local server: limits, content checks, redirects, SSRF, robots, charsets."""
from __future__ import annotations

import gzip
import ipaddress
import time
import zlib
from dataclasses import replace

import pytest
from ingest_cases import MISLABELLED_TITLE, TEST_POLICY, broken_routes
from local_server import LocalServer, Reply, Request

from newswatch.fetching import errors
from newswatch.fetching.content import decode_body, sniff
from newswatch.fetching.html_store import HtmlStore
from newswatch.fetching.safe_fetch import Fetcher
from newswatch.fetching.ssrf import AddressPolicy


@pytest.fixture
def server():
    with LocalServer(broken_routes()) as running:
        yield running


@pytest.fixture
def fetcher():
    with Fetcher(TEST_POLICY) as shared:
        yield shared


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/html-as-feed.xml", errors.UnexpectedContent, "unexpected_content"),
        ("/huge.xml", errors.TooLarge, "too_large"),
        ("/bomb.xml", errors.DecompressionBomb, "decompression_bomb"),
        ("/binary.xml", errors.BinaryContent, "binary_content"),
        ("/loop-a", errors.RedirectLoop, "redirect_loop"),
        ("/to-private", errors.BlockedAddress, "blocked_address"),
        ("/slow.xml", errors.FetchTimeout, "timeout"),
        ("/missing.xml", errors.HTTPStatusError, "http_status"),
    ],
)
def test_each_bad_answer_raises_its_typed_error(server, fetcher, path, error, reason):
    with pytest.raises(error) as caught:
        fetcher.fetch(server.url(path), expect=("feed",))
    assert caught.value.reason == reason
    assert "[http" in str(caught.value)  # the message names the URL


def test_size_limit_is_enforced_while_streaming_and_from_content_length(server, fetcher):
    server.routes["/declared.xml"] = Reply(200, {"Content-Type": "text/html"}, b"<html>" + b"a" * 300_000)
    with pytest.raises(errors.TooLarge, match="Content-Length"):
        fetcher.fetch(server.url("/declared.xml"))
    with pytest.raises(errors.TooLarge, match="body exceeds"):
        fetcher.fetch(server.url("/huge.xml"), expect=("feed",))


def test_gzip_and_deflate_bodies_are_decoded(server, fetcher):
    page = b"<html><body><p>compressed page</p></body></html>"
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    server.routes["/gz"] = Reply(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(page))
    server.routes["/deflate"] = Reply(200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, zlib.compress(page))
    server.routes["/raw-deflate"] = Reply(200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, raw_deflate.compress(page) + raw_deflate.flush())
    for path in ("/gz", "/deflate", "/raw-deflate"):
        assert fetcher.fetch(server.url(path)).text == page.decode()


def test_redirects_are_followed_and_recorded(server, fetcher):
    server.routes["/old"] = Reply(301, {"Location": "/good.xml"})
    result = fetcher.fetch(server.url("/old"), expect=("feed",))
    assert result.status == 200 and result.final_url == server.url("/good.xml")
    assert result.redirects == [server.url("/good.xml")]


def test_too_many_redirects(server):
    for hop in range(5):
        server.routes[f"/hop{hop}"] = Reply(302, {"Location": f"/hop{hop + 1}"})
    with Fetcher(replace(TEST_POLICY, max_redirects=3)) as fetcher, pytest.raises(errors.TooManyRedirects):
        fetcher.fetch(server.url("/hop0"))


def test_loopback_is_refused_unless_allowed(server):
    with Fetcher(replace(TEST_POLICY, addresses=AddressPolicy())) as strict, pytest.raises(errors.BlockedAddress):
        strict.fetch(server.url("/good.xml"), expect=("feed",))
    # A name is checked by the addresses it resolves to, not by how it looks.
    with Fetcher(replace(TEST_POLICY, addresses=AddressPolicy())) as strict, pytest.raises(errors.BlockedAddress):
        strict.fetch(f"http://localhost:{server.port}/good.xml", expect=("feed",))
    assert server.requests_for("/good.xml") == []


@pytest.mark.parametrize("address", ["10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.2", "169.254.169.254", "100.64.0.1",
                                     "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "2002:c0a8:0101::1", "224.0.0.1",
                                     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1"])
def test_non_public_addresses_are_refused(address):
    assert not AddressPolicy.allowing("127.0.0.1").permits("example.com", ipaddress.ip_address(address))


def test_public_addresses_and_explicit_exceptions_are_permitted():
    policy = AddressPolicy.allowing("127.0.0.1", "10.8.0.0/16", "mirror.internal")
    assert policy.permits("example.com", ipaddress.ip_address("93.184.216.34"))
    assert policy.permits("x", ipaddress.ip_address("127.0.0.1"))
    assert policy.permits("x", ipaddress.ip_address("10.8.3.4"))
    assert not policy.permits("x", ipaddress.ip_address("10.9.3.4"))
    assert policy.permits("mirror.internal", ipaddress.ip_address("192.168.7.7"))


def test_wrong_declared_charset_is_corrected(server, fetcher):
    result = fetcher.fetch(server.url("/mislabelled.xml"), expect=("feed",))
    assert MISLABELLED_TITLE in result.text
    assert result.charset_mismatch and result.decoded.declared == "iso-8859-1" and result.decoded.encoding == "utf-8"
    cp1252 = "<html><body><p>Les créateurs réclament une rémunération équitable à l’ère de l’IA générative.</p></body></html>"
    server.routes["/cp1252"] = Reply(200, {"Content-Type": "text/html; charset=utf-8"}, cp1252.encode("cp1252"))
    page = fetcher.fetch(server.url("/cp1252"))
    assert page.text == cp1252 and page.charset_mismatch


def test_charset_from_meta_and_bom():
    german = "<html><head><meta charset='iso-8859-1'></head><body>Künstler fordern Vergütung für KI-Training</body></html>"
    decoded = decode_body(german.encode("latin-1"))
    assert decoded.text == german and not decoded.charset_mismatch
    assert decode_body("Über".encode("utf-8-sig")).text == "Über"


def test_content_sniffing_trusts_bytes_over_headers():
    assert sniff(b'<?xml version="1.0"?><rss version="2.0">', "text/html") == "feed"
    assert sniff(b"<!doctype html><html>", "application/rss+xml") == "html"
    assert sniff(b"%PDF-1.7 ...", "text/html") == "binary"
    assert sniff(b'<feed xmlns="http://www.w3.org/2005/Atom">', "text/plain") == "feed"


def test_retries_5xx_then_succeeds_honouring_retry_after(server, fetcher):
    answers = iter([Reply(503, {"Retry-After": "1"}), Reply(200, {"Content-Type": "text/html"}, b"<html>ok</html>")])
    server.routes["/flaky"] = lambda request: next(answers)
    started = time.monotonic()
    assert fetcher.fetch(server.url("/flaky")).text == "<html>ok</html>"
    assert time.monotonic() - started >= 0.95
    assert len(server.requests_for("/flaky")) == 2


def test_4xx_is_not_retried(server, fetcher):
    with pytest.raises(errors.HTTPStatusError) as caught:
        fetcher.fetch(server.url("/missing"))
    assert caught.value.status == 404 and len(server.requests_for("/missing")) == 1


def test_robots_txt_is_obeyed_and_cached(server, fetcher):
    server.routes["/robots.txt"] = Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    server.routes["/private/page"] = Reply(200, {"Content-Type": "text/html"}, b"<html></html>")
    with pytest.raises(errors.RobotsDisallowed):
        fetcher.fetch(server.url("/private/page"))
    fetcher.fetch(server.url("/good.xml"), expect=("feed",))
    assert server.requests_for("/private/page") == []
    assert len(server.requests_for("/robots.txt")) == 1


def test_unreachable_robots_txt_means_disallow_all(server):
    server.routes["/robots.txt"] = Reply(503)
    with Fetcher(replace(TEST_POLICY, max_retries=0)) as fetcher, pytest.raises(errors.RobotsDisallowed, match="RFC 9309"):
        fetcher.fetch(server.url("/good.xml"), expect=("feed",))


def test_per_host_rate_limit_spaces_requests(server):
    with Fetcher(replace(TEST_POLICY, per_host_interval=0.3)) as fetcher:
        fetcher.fetch(server.url("/good.xml"), expect=("feed",))  # also fetches robots.txt
        started = time.monotonic()
        fetcher.fetch(server.url("/good.xml"), expect=("feed",))
        fetcher.fetch(server.url("/good.xml"), expect=("feed",))
        assert time.monotonic() - started >= 0.55


def test_conditional_get_returns_304_without_body(server, fetcher):
    first = fetcher.fetch(server.url("/good.xml"), expect=("feed",))
    second = fetcher.fetch(server.url("/good.xml"), expect=("feed",), etag=first.etag)
    assert first.etag == '"good-v1"' and second.not_modified and second.body == b""
    assert server.requests_for("/good.xml")[-1].headers["if-none-match"] == '"good-v1"'


def test_user_agent_is_sent(server, fetcher):
    def echo(request: Request) -> Reply:
        return Reply(200, {"Content-Type": "text/html"}, f"<html>{request.headers.get('user-agent')}</html>".encode())

    server.routes["/ua"] = echo
    assert "NewswatchBot" in fetcher.fetch(server.url("/ua")).text


def test_html_store_keeps_the_original_bytes_compressed(tmp_path):
    store = HtmlStore(tmp_path / "html")
    body = "<html><body>Künstler – “quotes”</body></html>".encode("cp1252")
    ref = store.save("https://example.com/story", body, "text/html; charset=windows-1252")
    assert ref == HtmlStore.ref_for("https://example.com/story")
    path = store.path(ref)
    assert path.suffix == ".gz" and gzip.decompress(path.read_bytes()).endswith(body)
    page = store.load(ref)
    assert page.body == body and page.url == "https://example.com/story"
    assert page.text == body.decode("cp1252")
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


@pytest.mark.fault
def test_total_deadline_holds_against_a_server_that_drips_one_byte_at_a_time(server):
    """Fault: a page sending one byte every 0.05 s for 25 s must not hold the fetch past its deadline."""
    server.routes["/drip.html"] = Reply(200, {"Content-Type": "text/html"}, b"<html>" + b"a" * 500, trickle=0.05)
    policy = replace(TEST_POLICY, total_timeout=1.0, read_timeout=0.5, max_retries=2)
    started = time.monotonic()
    with Fetcher(policy) as dripping, pytest.raises(errors.FetchTimeout, match="not complete after 1s"):
        dripping.fetch(server.url("/drip.html"))
    # Not retried either: a server that drips will drip again (a batch once waited 487 s on retries).
    assert time.monotonic() - started < 2.0


@pytest.mark.fault
def test_nat64_addresses_are_judged_by_the_ipv4_address_they_carry():
    """Fault (issue 18, low): 64:ff9b::/96 reaches 127.0.0.1 or the metadata service through a NAT64 gateway."""
    policy = AddressPolicy.allowing()
    assert not policy.permits("example.com", ipaddress.ip_address("64:ff9b::127.0.0.1"))
    assert policy.permits("example.com", ipaddress.ip_address("64:ff9b::93.184.216.34"))
