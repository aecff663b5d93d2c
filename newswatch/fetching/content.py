"""What a response body is (feed, HTML, text, binary) and how to decode it.

Servers lie in both directions: feeds are served as ``text/html`` or
``text/plain``, error pages as ``application/rss+xml``, and charsets are
declared wrong (``ISO-8859-1`` on UTF-8 bytes is the classic). So the declared
content type is only a hint: the first bytes decide, and the charset is chosen
by evidence (BOM, strict UTF-8 validity, the declaration, then detection).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email.message import Message
from typing import Literal

from charset_normalizer import from_bytes

ContentKind = Literal["feed", "html", "text", "binary"]

# Magic numbers of formats we never want to parse as text.
_BINARY_MAGIC = (
    b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"ID3", b"OggS", b"fLaC", b"\x00\x00\x00\x18ftyp",
    b"\x00\x00\x00\x20ftyp", b"RIFF", b"wOFF", b"wOF2", b"\x7fELF", b"MZ",
)
_BINARY_TYPES = re.compile(r"^(image|audio|video|font)/|^application/(pdf|zip|gzip|x-gzip|x-tar|x-7z|vnd\.|msword|x-msdownload|wasm)")
_FEED_TYPES = re.compile(r"^application/(rss|atom|rdf|feed)\+xml$|^(application|text)/(xml|rss)$")
_HTML_TYPES = re.compile(r"^(text/html|application/xhtml\+xml)$")
_FEED_ROOT = re.compile(rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?xml-stylesheet[^>]*>\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w-]+:)?(rss|feed|RDF)\b", re.S | re.I)
_HTML_START = re.compile(rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.S | re.I)
_XML_DECLARED = re.compile(rb"^<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG: browsers decode these labels as windows-1252, and so do we (it is a superset).
_LATIN1_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1", "cp819"}


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """``'text/html; charset=UTF-8'`` -> ``('text/html', 'utf-8')``."""
    if not header:
        return "", None
    message = Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    charset_text = charset.strip().lower() if isinstance(charset, str) and charset.strip() else None
    return message.get_content_type().lower() if "/" in header else "", charset_text


def _strip_bom_and_space(head: bytes) -> bytes:
    for bom, _ in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return head.lstrip()


def looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head[:2048]


def sniff(head: bytes, declared_type: str) -> ContentKind:
    """The kind of a body from its first bytes, with the declared type as tie-breaker."""
    if looks_binary(head) or (_BINARY_TYPES.search(declared_type) and not _strip_bom_and_space(head).startswith(b"<")):
        return "binary"
    text_head = _strip_bom_and_space(head)
    if _FEED_ROOT.match(text_head):
        return "feed"
    if _HTML_START.match(text_head) or _HTML_TYPES.match(declared_type):
        return "html"
    if _FEED_TYPES.match(declared_type):
        # Declared as a feed but neither feed- nor HTML-shaped: let the feed parser judge it.
        return "feed"
    return "text"


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    lowered = label.strip().lower()
    if lowered in _LATIN1_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def declared_charset(body: bytes, header_charset: str | None) -> str | None:
    """The charset the response claims: HTTP header first, then the XML or meta declaration."""
    if header_charset:
        return header_charset
    head = body[:4096]
    match = _XML_DECLARED.match(_strip_bom_and_space(head)) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # codec actually used
    declared: str | None  # what the server or document claimed, if anything

    @property
    def charset_mismatch(self) -> bool:
        """True when the declaration was wrong (the bytes did not decode as declared)."""
        if self.declared is None or self.encoding == "ascii":  # ASCII fits every declaration we accept
            return False
        return _codec_name(self.declared) != self.encoding


def _detect(body: bytes) -> str | None:
    matches = from_bytes(body[:200_000])
    best = matches.best()
    if best is None:
        return None
    # Short Western text fits several single-byte codepages equally well; windows-1252 is by
    # far the most common of them on the web, so it wins ties.
    tied = [m for m in matches if m.percent_chaos <= best.percent_chaos]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252"
    return _codec_name(best.encoding)


def decode_body(body: bytes, header_charset: str | None = None) -> DecodedText:
    """Decode bytes, trusting evidence over declarations.

    Order: a BOM; strict UTF-8 when the bytes contain non-ASCII and are valid
    UTF-8 (random legacy-encoded text almost never is, so a ``latin-1``
    declaration on such bytes is the server's mistake); the declared charset if
    the bytes decode under it; detection; and finally windows-1252 with
    replacement characters, which never fails.
    """
    declared = declared_charset(body, header_charset)
    for bom, name in _BOMS:
        if body.startswith(bom):
            return DecodedText(body[len(bom):].decode(name, errors="replace"), name, declared)
    if body.isascii():
        return DecodedText(body.decode("ascii"), "ascii", declared)
    try:
        return DecodedText(body.decode("utf-8"), "utf-8", declared)
    except UnicodeDecodeError:
        pass
    codec = _codec_name(declared)
    if codec and codec != "utf-8":
        try:
            return DecodedText(body.decode(codec), codec, declared)
        except UnicodeDecodeError:
            pass
    detected = _detect(body)
    if detected:
        return DecodedText(body.decode(detected, errors="replace"), detected, declared)
    return DecodedText(body.decode("cp1252", errors="replace"), "cp1252", declared)
