"""Word tokens and shingles: shared by extraction (boilerplate scoring) and its evaluation."""
from __future__ import annotations

import re
from collections import Counter

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """Unicode word tokens, case kept; punctuation and layout dropped."""
    return _TOKEN.findall(text)


def shingles(tokens: list[str], size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Overlapping ``size``-token windows as a multiset.

    A non-empty text shorter than ``size`` tokens is one shorter shingle; an
    empty text has none (so empty output costs recall only, not precision).
    """
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[start:start + size]) for start in range(max(1, len(tokens) - size + 1)))
