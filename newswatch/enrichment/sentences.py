"""Sentence splitting for two kinds of text.

* Real pipeline input: cased, untokenized article text (``split_plain``).
* The shared CNN/DailyMail evaluation set: lowercased, Penn-Treebank tokenized
  text (``split_ptb``), where every token is space-separated and quotes are
  written as ````...''`` or ``'`` tokens. ``detokenize_ptb`` turns such a
  sentence back into ordinary prose for the encoder, whose tokenizer was trained
  on ordinary text (``does n't`` -> ``doesn't``).

Both splitters are rule-based and dependency-free: they run on every article
and must stay well under a millisecond per sentence. ``prepare_sentences``
adds the step every model consumer shares: drop page furniture ("Scroll down
for video", lone punctuation) and keep each sentence's display and model form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_PTB_TERMINATORS = {".", "!", "?"}

# Words after which a period does not end a sentence (compared lowercased, without the dot).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres supt insp
    inc ltd co corp plc llc bros dept univ assn est vs etc al approx no nos vol pp fig
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m""".split()
)
_SENTENCE_END = re.compile(r"""[.!?]+["'\u201d\u2019)\]]*(?=\s+|$)""")
_NEXT_STARTS_SENTENCE = re.compile(r"""\s+["'\u201c\u2018(\[]*[A-Z0-9]""")


def split_ptb(text: str) -> list[str]:
    """Split PTB-tokenized text on ``.``/``!``/``?`` tokens.

    A closing quote token right after the terminator belongs to the sentence it
    closes (``... he said . ''``), but a ``'`` only when a single quote is open,
    since Daily Mail text also uses ``'`` to open the next quotation.
    """
    sentences: list[str] = []
    current: list[str] = []
    open_double = open_single = False
    tokens = text.split()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        current.append(token)
        if token == "``":
            open_double = True
        elif token == "''":
            open_double = False
        elif token == "'":
            open_single = not open_single
        if token in _PTB_TERMINATORS:
            while index + 1 < len(tokens):
                following = tokens[index + 1]
                if following == "''" and open_double:
                    open_double = False
                elif following == "'" and open_single:
                    open_single = False
                elif following not in (")", "]"):
                    break
                current.append(following)
                index += 1
            sentences.append(" ".join(current))
            current = []
            open_double = open_single = False
        index += 1
    if current:
        sentences.append(" ".join(current))
    return sentences


def split_plain(text: str) -> list[str]:
    """Split ordinary prose: end at ``.!?`` (plus closing quotes) before a capital, digit or quote.

    Periods after known abbreviations and single initials ("J. K. Rowling")
    do not end a sentence. Line breaks always do, since extracted article
    text keeps paragraphs on separate lines.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*", text):
        paragraph = paragraph.strip()
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            end = match.end()
            if not _NEXT_STARTS_SENTENCE.match(paragraph, end):
                continue
            if match.group().startswith(".") and _is_abbreviation(paragraph[start : match.start()]):
                continue
            sentences.append(paragraph[start:end].strip())
            start = end
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return [s for s in sentences if s]


def _is_abbreviation(text_before_period: str) -> bool:
    words = text_before_period.split()
    if not words:
        return False
    last = words[-1].lstrip("\"'(\u201c\u2018").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(text: str, *, tokenized: bool = False) -> list[str]:
    return split_ptb(text) if tokenized else split_plain(text)


_DETOKENIZE_RULES = [
    (re.compile(r"``\s*"), '"'),
    (re.compile(r"\s*''"), '"'),
    # A lone ' opens a quotation at the start or after "said :"; anywhere else it
    # closes one or marks a plural possessive, and belongs to the word before it.
    (re.compile(r"(^|: )' "), r"\1'"),
    (re.compile(r" '(?=\s|$)"), "'"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (re.compile(r" ([.,:;!?%)\]])"), r"\1"),
    (re.compile(r"([(\[$]) "), r"\1"),
    (re.compile(r" -- "), " - "),
]


def detokenize_ptb(sentence: str) -> str:
    """Undo the PTB tokenization closely enough for a subword encoder."""
    for pattern, replacement in _DETOKENIZE_RULES:
        sentence = pattern.sub(replacement, sentence)
    return sentence


# Page furniture that survives extraction and is never content.
_BOILERPLATE = re.compile(
    r"^(scroll down for (the )?videos?|visit site|click here.*|read more.*|advertisement|all rights reserved"
    r"|sorry,? we are not currently accepting comments on this article|©.*|\(c\) .*)\W*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class CandidateSentences:
    """Sentences as returned (``display``) and as read by models (``plain``), with article positions."""

    display: list[str]
    plain: list[str]
    total: int  # sentences in the article after filtering, for the relative position


def is_boilerplate(plain_sentence: str) -> bool:
    return bool(_BOILERPLATE.match(plain_sentence.strip())) or len(_WORD.findall(plain_sentence)) < 2


# Text without sentence punctuation (transcripts, lowercased posts) comes out as one huge
# "sentence": cut such runs into pieces a summary can choose from without growing unbounded.
LONG_SENTENCE_WORDS = 80
PIECE_WORDS = 40


def bounded_sentences(sentences: list[str], longest: int = LONG_SENTENCE_WORDS, piece: int = PIECE_WORDS) -> list[str]:
    """``sentences`` with every one over ``longest`` words cut into pieces of ``piece`` words."""
    bounded = []
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= longest:
            bounded.append(sentence)
        else:
            bounded += [" ".join(words[i : i + piece]) for i in range(0, len(words), piece)]
    return bounded


def prepare_sentences(text: str, *, tokenized: bool = False, limit: int | None = None) -> CandidateSentences:
    display: list[str] = []
    plain: list[str] = []
    for sentence in bounded_sentences(split_sentences(text, tokenized=tokenized)):
        readable = detokenize_ptb(sentence) if tokenized else sentence
        if is_boilerplate(readable):
            continue
        display.append(sentence)
        plain.append(readable)
    total = len(display)
    if limit is not None:
        display, plain = display[:limit], plain[:limit]
    return CandidateSentences(display=display, plain=plain, total=total)
