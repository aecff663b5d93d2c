"""Pure text functions of the terms watch: clean text, noise-free comparison, diffs, AI-clause classification."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import lxml.html
from lxml.cssselect import CSSSelector

NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "iframe", "svg")
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "blockquote", "pre", "div", "section"}

MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
DATE_PATTERNS = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS}\.?,?\s+\d{{4}}\b"
    rf"|\b{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)

# Words that make a clause about AI, machine learning, training, user-granted licences or opt-outs.
AI_TERMS = {
    "artificial intelligence": r"\bartificial intelligence\b",
    "AI": r"\bA\.?I\.?\b(?![-\w])|\bAI[- ](?:model|system|feature|tool|training|generated)",
    "machine learning": r"\bmachine[- ]learning\b",
    "training": r"\b(?:train(?:s|ed|ing)?)\b",
    "model": r"\b(?:models?|foundation model|large language model|LLMs?)\b",
    "generative": r"\bgenerative\b",
    "dataset": r"\bdata ?sets?\b|\btraining data\b",
    "licence grant": r"\b(?:you )?grant(?:s)?\b[^.]{0,80}\blicen[cs]e\b|\blicen[cs]e to use your content\b",
    "opt-out": r"\bopt[- ]?(?:out|in)\b",
    "synthetic media": r"\b(?:synthetic|voice clon\w*|likeness|digital replica\w*)\b",
}
AI_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in AI_TERMS.items()}
# A licence or opt-out clause counts only with an AI word nearby; "training" alone can be staff training.
CORE_AI_TERMS = {"artificial intelligence", "AI", "machine learning", "generative", "dataset", "synthetic media"}


class SelectorNotFound(ValueError):
    """The body selector matched nothing: the page layout changed, not the terms."""


def extract_document_text(html: str, selector: str, remove: list[str] | tuple[str, ...] = ()) -> str:
    """The document body as paragraphs (one per line), without scripts and the removed parts."""
    tree = lxml.html.fromstring(html)
    # "a, b" means "a, else b": alternatives in order of preference, not in document order.
    body = next((found[0] for alternative in selector.split(",") if (found := CSSSelector(alternative.strip())(tree))), None)
    if body is None:
        raise SelectorNotFound(f"selector {selector!r} matched nothing")
    for element in list(body.iter(*NON_CONTENT_TAGS)):
        element.drop_tree()
    for css in remove:
        for element in CSSSelector(css)(body):
            element.drop_tree()
    paragraphs: list[str] = []
    for element in body.iter():
        if element.tag in BLOCK_TAGS and not any(child.tag in BLOCK_TAGS for child in element):
            text = " ".join(element.text_content().split())
            if text:
                paragraphs.append(text)
    return "\n".join(paragraphs)


def comparable(text: str) -> str:
    """Text with noise masked (dates, spacing), so a new 'last updated' date is not a change."""
    masked = DATE_PATTERNS.sub("<date>", text)
    return "\n".join(" ".join(line.split()) for line in masked.splitlines() if line.strip())


@dataclass
class TermsDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unified: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def diff_texts(old: str, new: str, old_label: str = "old", new_label: str = "new") -> TermsDiff:
    """Paragraph-level diff of the noise-free texts; passages are returned as in the new/old text."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    old_cmp, new_cmp = [comparable(line) for line in old_lines], [comparable(line) for line in new_lines]
    result = TermsDiff()
    matcher = difflib.SequenceMatcher(a=old_cmp, b=new_cmp, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            result.removed.extend(old_lines[i1:i2])
        if tag in ("replace", "insert"):
            result.added.extend(new_lines[j1:j2])
    if result.changed:
        result.unified = "\n".join(difflib.unified_diff(old_lines, new_lines, old_label, new_label, lineterm="", n=1))
    return result


def ai_terms_in(passage: str) -> list[str]:
    found = [name for name, pattern in AI_PATTERNS.items() if pattern.search(passage)]
    if CORE_AI_TERMS.intersection(found) or {"training", "model"} <= set(found):
        return found
    return []


@dataclass
class ChangeClassification:
    ai_related: bool
    kinds: list[str]  # added / removed / altered
    passages: list[str]
    terms: list[str]


def _altered_pairs(diff: TermsDiff) -> set[str]:
    """Added passages that rewrite a removed one (same clause, edited)."""
    altered = set()
    for added in diff.added:
        if any(difflib.SequenceMatcher(a=added, b=removed).ratio() > 0.6 for removed in diff.removed):
            altered.add(added)
    return altered


def classify_change(diff: TermsDiff) -> ChangeClassification:
    altered = _altered_pairs(diff)
    kinds: set[str] = set()
    passages: list[str] = []
    terms: set[str] = set()
    for passage in diff.added:
        found = ai_terms_in(passage)
        if found:
            kinds.add("altered" if passage in altered else "added")
            passages.append(passage)
            terms.update(found)
    for passage in diff.removed:
        found = ai_terms_in(passage)
        rewritten = any(difflib.SequenceMatcher(a=passage, b=a).ratio() > 0.6 for a in altered)
        if found and not rewritten:
            kinds.add("removed")
            passages.append(passage)
            terms.update(found)
    return ChangeClassification(bool(passages), sorted(kinds), passages, sorted(terms))
