"""Keeping credentials out of everything Newswatch prints, logs or stores.

URLs may carry a user and password (``https://user:secret@es.example.org:9200``, a feed
behind basic auth); anything shown to a person or written to an index gets them replaced.
"""
from __future__ import annotations

import re

# scheme://user[:password]@  ->  scheme://***@
_CREDENTIALS = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/\s@:]+(?::[^/\s@]*)?)@")


def redact(text: str | None) -> str | None:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    if text is None:
        return None
    return _CREDENTIALS.sub(lambda match: f"{match['scheme']}***@", text)
