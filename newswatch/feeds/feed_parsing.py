"""Reading a fetched feed: shared by the poller and by discovery's verification of a candidate feed."""
from __future__ import annotations

import re

import feedparser

from newswatch.fetching.safe_fetch import FetchResult

_XML_ENCODING_DECLARATION = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']")


def parse_feed(result: FetchResult) -> feedparser.FeedParserDict:
    """feedparser over the text the fetcher already decoded (charset chosen by evidence).

    The XML declaration's encoding is removed because the text is handed over as
    UTF-8: otherwise a wrong declaration would make feedparser decode it again wrongly.
    """
    text = _XML_ENCODING_DECLARATION.sub(r"\1", result.text, count=1)
    return feedparser.parse(
        text.encode("utf-8"),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": result.final_url},
    )


def entry_link(entry: dict) -> str | None:
    """An entry's article link: ``link``, or an http(s) ``id`` (Atom feeds that only carry one)."""
    return entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
