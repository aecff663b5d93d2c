"""Finding quoted passages by their quotation marks, before any parsing.

Works on characters only, so it is fast and its behaviour on odd input is easy
to reason about: a quote never runs past the paragraph where its closing mark
is missing, never to the end of the text. Double marks (curly and straight) open top-level
quotes everywhere; single marks only where a text plainly uses them as its
primary marks (a headline line, or a text with no double marks at all), since
elsewhere ’ is overwhelmingly an apostrophe. An opening mark followed by a
second opener is dropped; one left open at a paragraph's end closes there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
ALL_MARKS = "“”„«»‘’\"'"
# Characters after which a straight mark opens rather than closes a quote.
_OPENING_CONTEXT = " \t\n([{—–-/"


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    index: int


@dataclass
class QuotedSpan:
    """One quotation: one fragment per paragraph it runs over, marks included."""

    fragments: list[tuple[int, int]]
    paragraph: int

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]

    def inner_text(self, text: str) -> str:
        return " ".join(text[s:e].strip(ALL_MARKS + " \n") for s, e in self.fragments)


def split_paragraphs(text: str) -> list[Paragraph]:
    """Non-blank lines: news text marks paragraphs with one or more newlines."""
    paragraphs = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            paragraphs.append(Paragraph(match.start(), match.end(), len(paragraphs)))
    return paragraphs


def _is_headline(paragraph: Paragraph, text: str, total: int) -> bool:
    line = text[paragraph.start : paragraph.end].strip()
    return paragraph.index == 0 and total > 1 and len(line.split()) <= 20 and not line.endswith((".", "!", "?"))


def _straight_role(text: str, i: int, para: Paragraph) -> str:
    """'open', 'close' or 'none' for a straight mark at ``i``."""
    before = text[i - 1] if i > para.start else " "
    after = text[i + 1] if i + 1 < para.end else " "
    if (before in _OPENING_CONTEXT or before.isspace()) and not after.isspace():  # a no-break space too
        return "open"
    if not before.isspace():
        return "close"
    if i - 2 >= para.start and text[i - 2] in "'’":
        # "… they said, 'We'll see,' " Okafor said: a space set between a nested quote's end and the outer one's.
        return "close"
    return "none"


def _single_role(text: str, i: int, para: Paragraph) -> str:
    char = text[i]
    before = text[i - 1] if i > para.start else " "
    after = text[i + 1] if i + 1 < para.end else " "
    if char in SINGLE_OPEN or (char == "'" and (before in _OPENING_CONTEXT or before.isspace())):
        return "open" if not after.isspace() else "none"
    # A closing single mark is never followed by a letter (that is an apostrophe: don’t, it’s).
    if not before.isspace() and not after.isalnum():
        return "close"
    return "none"


def _pairs_in_paragraph(text: str, para: Paragraph, singles: bool, straight_singles: bool) -> tuple[list[tuple[int, int]], int | None]:
    """Closed (start, end) pairs, plus the start of a quote left open at the paragraph end."""
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    open_kind = ""
    for i in range(para.start, para.end):
        char = text[i]
        if char in DOUBLE_OPEN or char in DOUBLE_CLOSE or char == '"':
            # A curly mark of the wrong hand is read by its place: ”Fear. I am …” opens, “… future.“ closes.
            role = _straight_role(text, i, para)
            if char in DOUBLE_OPEN and not (open_at is not None and role == "close" and text[i + 1 : i + 2] in ("", " ", "\n")):
                role = "open"
            elif char in DOUBLE_CLOSE and not (open_at is None and role == "open"):
                role = "close"
            if open_kind == "single":
                # A double mark inside a single-quoted span: nesting the other way round, leave it.
                continue
            if role == "open":
                open_at, open_kind = i, "double"  # a second opener drops an unclosed first one
            elif role == "close" and open_at is not None:
                pairs.append((open_at, i + 1))
                open_at, open_kind = None, ""
        elif singles and (char in SINGLE_OPEN or char in SINGLE_CLOSE or (straight_singles and char == "'")):
            if open_kind == "double":
                continue  # nested quote inside a double-quoted one: part of its content
            role = _single_role(text, i, para)
            if role == "open" and open_at is None:
                open_at, open_kind = i, "single"
            elif role == "close" and open_at is not None and i > open_at + 1:
                pairs.append((open_at, i + 1))
                open_at, open_kind = None, ""
    return pairs, (open_at if open_kind == "double" else None)


def find_quoted_spans(text: str, paragraphs: list[Paragraph]) -> list[QuotedSpan]:
    """Every balanced quotation, with multi-paragraph quotes joined.

    A paragraph that ends inside a quote continues it only when the next
    paragraph opens with a quotation mark (the news convention); otherwise the
    closing mark is missing and the quote ends with its paragraph (never later).
    """
    has_double = any(c in text for c in DOUBLE_OPEN + DOUBLE_CLOSE + '"')
    spans: list[QuotedSpan] = []
    pending: list[tuple[int, int]] = []  # fragments of a quote still running over paragraphs
    pending_para = -1
    for para in paragraphs:
        headline = _is_headline(para, text, len(paragraphs))
        pairs, left_open = _pairs_in_paragraph(text, para, singles=headline or not has_double, straight_singles=headline)
        body = text[para.start : para.end]
        first_mark_at = para.start + len(body) - len(body.lstrip())
        if pending and body.lstrip()[:1] in DOUBLE_OPEN + '"':
            if pairs and pairs[0][0] == first_mark_at:
                spans.append(QuotedSpan(pending + [pairs[0]], pending_para))  # the running quote closes here
                pairs = pairs[1:]
                pending = []
            elif not pairs and left_open == first_mark_at:
                pending.append((left_open, para.end))  # ...or runs on through this paragraph too
                continue
        if pending:
            # The closing mark is missing: the quotation ran to its paragraph's end.
            spans.append(QuotedSpan(pending, pending_para))
        pending = []
        spans.extend(QuotedSpan([p], para.index) for p in pairs)
        if left_open is not None:
            pending, pending_para = [(left_open, para.end)], para.index
    if pending:
        spans.append(QuotedSpan(pending, pending_para))
    return sorted(spans, key=lambda s: s.start)
