"""URL canonicalisation: one spelling per article, so exact duplicates share an id.

The same story reaches us as ``https://m.example.com/story/?utm_source=rss#top``,
``https://amp.example.com/story/amp/`` and ``https://example.com/story``. All of
them canonicalise to the last form, and ``Article.id`` hashes that form.

Rules (each one a real-world variant seen in news feeds):
* scheme and host lowercased, trailing dot and credentials dropped, IDN hosts to punycode;
* default ports (80 for http, 443 for https) dropped;
* fragments dropped;
* tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid`` ...) and AMP flags dropped,
  the remaining query parameters sorted;
* AMP and mobile variants folded: ``amp.``/``m.``/``mobile.`` hosts, ``/amp/`` path segments,
  ``.amp.html`` suffixes, ``?amp``/``?outputType=amp``, and Google AMP cache wrappers;
* dot segments resolved, duplicate slashes collapsed, the trailing slash of a non-root path dropped;
* percent-escapes normalised (unreserved characters decoded, hex digits uppercased).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from newswatch.core.model import stable_id

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "mc_cid", "mc_eid", "igshid", "igsh", "si", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking",
    "mkt_tok", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "cmpid",
    "ocid", "icid", "ito", "smid", "sr_share", "ref_src", "ref_url",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    "feature", "__twitter_impression", "guccounter", "guce_referrer", "guce_referrer_sig", "spm",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "itm_", "stm_", "at_")
AMP_PARAMS = frozenset({"amp", "amp_js_v", "amp_gsa", "usqp", "outputtype"})
MOBILE_HOST_PREFIXES = ("amp.", "m.", "mobile.")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Characters that never need escaping (RFC 3986 "unreserved"): an escape of one is decoded.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_AMP_CACHE_HOST = re.compile(r"\.cdn\.ampproject\.org$")


class InvalidURL(ValueError):
    """The text is not an absolute http(s) URL."""


def _normalise_escapes(text: str) -> str:
    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    # quote() escapes spaces and non-ASCII; '%' is kept so existing escapes survive.
    return quote(_ESCAPE.sub(fix, text), safe=_PATH_SAFE)


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.endswith(("/.", "/..")):
        output.append("")
    return "/".join(output)


def _unwrap_amp_cache(scheme: str, host: str, path: str) -> str | None:
    """The publisher URL inside a Google AMP cache or google.com/amp wrapper, if this is one."""
    if _AMP_CACHE_HOST.search(host) or (host in ("www.google.com", "google.com") and path.startswith("/amp/")):
        # /c/s/example.com/path (cache, s = https) or /amp/s/example.com/path (google.com)
        match = re.match(r"^/(?:c|amp)/(?:(?:v|i|r)/)*(s/)?(.+)$", path)
        if match:
            return ("https://" if match.group(1) else f"{scheme}://") + match.group(2)
    return None


def _strip_mobile_host(host: str) -> str:
    for prefix in MOBILE_HOST_PREFIXES:
        # Keep hosts like m.tv where the rest is only a public suffix (one dot left).
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix):]
    return host


def _strip_amp_path(path: str) -> str:
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) > 1 and segments[-1] == "amp":  # /story/amp/ -> /story
        segments.pop()
    elif len(segments) > 1 and segments[0] == "amp":  # /amp/story -> /story
        segments.pop(0)
    rebuilt = "/" + "/".join(segments) + ("/" if path.endswith("/") and segments else "")
    return re.sub(r"\.amp(\.html?)$", r"\1", rebuilt)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered in AMP_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """The canonical spelling of an http(s) URL (see the module docstring for the rules)."""
    text = (url or "").strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidURL(f"invalid host in URL {url!r}: {exc}") from exc
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"invalid port in URL {url!r}") from exc

    unwrapped = _unwrap_amp_cache(scheme, host, parts.path)
    if unwrapped and unwrapped != text:
        return canonicalize_url(unwrapped + (f"?{parts.query}" if parts.query else ""))

    host = _strip_mobile_host(host)
    host_part = f"[{host}]" if ":" in host else host  # IPv6 literal
    netloc = host_part if port in (None, DEFAULT_PORTS[scheme]) else f"{host_part}:{port}"

    path = _remove_dot_segments(re.sub(r"/{2,}", "/", parts.path or "/"))
    path = _strip_amp_path(_normalise_escapes(path) or "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"

    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(params), quote_via=quote, safe="-._~")
    return urlunsplit((scheme, netloc, path, query, ""))


def url_id(url: str) -> str:
    """The article id a URL maps to (``Article.id`` hashes the canonical URL the same way)."""
    return stable_id(canonicalize_url(url))


# Second-level labels under which a country code's sites register (example.co.uk, example.com.au).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})


def site_of(url: str) -> str:
    """The registrable site of a URL's host ("news.example.co.uk" -> "example.co.uk"); "" when it has none."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def owned_canonical_url(declared: str | None, page_url: str, aliases: tuple[str, ...] = ()) -> str:
    """The page's declared canonical URL when it is on the page's own site (or a declared alias), else the page URL.

    A page may name another outlet's URL as its canonical; taking that would give it the
    other outlet's document id, so one source could overwrite another source's article.
    """
    if declared and site_of(declared) in {site_of(page_url), *aliases}:
        return declared
    return page_url
