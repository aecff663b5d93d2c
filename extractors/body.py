"""Article body text: trafilatura, cross-checked against readability.

trafilatura (with its own fallbacks: its readability port and jusText) finds
nearly all of an article's text but often keeps a little boilerplate at the
start or end of the body: a byline block, a "subscribe" prompt, a list of
related links. Those lines lie outside the block readability picks as the
article, so :func:`combined_text` drops trafilatura's leading and trailing
lines that readability's text does not contain. It only trims the edges: a
line in the middle of the article (an embedded post, a list) stays even when
readability skipped it. In the other direction, when readability returns
trafilatura's text and more, and what it adds reads as prose, readability's
text is used instead: trafilatura then dropped sections of the article.
A line readability gives twice or more, word for word, is a repeated caption
or slideshow label, never article text, so it is dropped first.

trafilatura runs in its fast mode first; its fallbacks (its own readability
port and jusText) change its text on about one page in twenty, nearly always
one where the fast text is short or readability finds much more, so they run
only on those pages.

Every rule and threshold here was chosen on two sets together (the shared
AEB news benchmark and 711 WCXB article pages from 711 sites), and kept only
when neither set lost.

Each single-tool function is kept public so the benchmark can score it alone
(to catch regressions after an upgrade of trafilatura, readability or lxml).
"""
from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from collections.abc import Callable

import lxml.etree
import lxml.html
import trafilatura
from readability import Document
from readability.readability import REGEXES as READABILITY_PATTERNS

from newswatch.core.text import SHINGLE_SIZE, shingles, tokenize

log = logging.getLogger(__name__)

# A trafilatura line "agrees" with readability when at least this share of its
# 4-token shingles is in readability's text.
LINE_AGREEMENT = 0.5
# Trimming may remove at most 40% of trafilatura's tokens; past that the two
# tools picked different blocks and neither can be trusted to correct the other.
MIN_KEPT_SHARE = 0.6
# readability replaces trafilatura when it returns at least this many times
# more tokens and contains (nearly) all of trafilatura's text: trafilatura then
# stopped early inside the article. The containment check keeps a longer but
# different block from winning.
RECOVERY_LENGTH_RATIO = 2.0
RECOVERY_CONTAINMENT = 0.9
# A smaller surplus also wins when most of trafilatura's text is in it and the
# lines readability adds are partly prose (missed sections of the article),
# not only bylines, dates and captions (page furniture around it).
PARTIAL_RECOVERY_LENGTH_RATIO = 1.25
PARTIAL_RECOVERY_CONTAINMENT = 0.6
PARTIAL_RECOVERY_PROSE_SHARE = 0.2
# A prose line: a sentence or more, ending like one.
PROSE_LINE_TOKENS = 8
_SENTENCE_END = re.compile(r"[.!?:;\u2026\u3002]['\"\u201d\u2019)]*\s*$")
# trafilatura's fallbacks run when its fast text is shorter than this (in
# characters) or readability's text is this many times longer: the pages where
# the fast mode stopped early inside long guides and listicles. Elsewhere they
# cost ~30% of trafilatura's time and do not change its text.
FALLBACK_BELOW_CHARS = 1000
FALLBACK_READABILITY_RATIO = 1.25
# Fewer letters and digits than this is a menu, a caption or a paywall stub, not
# an article (trafilatura's last-resort rescue happily returns a lone "Home"
# link). Counted in characters, not words: Chinese and Japanese have no spaces.
MIN_ARTICLE_CHARS = 80

_BLOCK_TAGS = (
    "p", "div", "section", "article", "header", "footer", "aside", "main", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "ul", "ol", "dl", "table", "tr",
    "figure", "figcaption", "br", "hr",
)
_NEVER_ARTICLE_TAGS = ("nav", "footer", "aside", "menu", "svg", "iframe", "button", "select", "input", "textarea")
# A page as HTML text or already parsed (lxml.html); a parsed page saves each tool a parse.
Page = str | lxml.html.HtmlElement

_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def strip_page_code(tree: lxml.html.HtmlElement) -> None:
    """Remove from a parsed page the code every tool discards before reading it.

    Scripts (JSON data such as JSON-LD stays: metadata is read from it), styles,
    <noscript> and inline SVG: trafilatura and readability would each copy and
    walk them before dropping them.
    """
    for script in tree.iter("script"):
        if "json" not in (script.get("type") or ""):
            script.drop_tree()
    lxml.etree.strip_elements(tree, "style", "noscript", "svg", with_tail=False)


def trafilatura_text(page: Page, url: str | None = None, *, fast: bool = True) -> str:
    """trafilatura's body text without comments ("" when it finds none).

    ``fast`` skips trafilatura's internal fallbacks; :func:`combined_text`
    brings its own second opinion, so paying for both is wasted time.
    """
    # trafilatura copies a parsed page before changing it, so ``page`` is left intact.
    text = trafilatura.extract(page, url=url, fast=fast, include_comments=False, include_tables=True)
    return text or ""


class _TextOnlyReadability(Document):
    """readability-lxml's article scoring with a parse suited to text output.

    The stock parse runs lxml's HTML sanitiser (rewriting every link and style
    attribute, for safe HTML output), which takes about 40% of readability's
    time and changes nothing in the text. Here we drop what the stock parse
    drops for content reasons (hidden elements, scripts, styles, comments)
    and the page furniture trafilatura never keeps.
    """

    def __init__(self, page: Page, url: str | None = None) -> None:
        super().__init__(page, url=url)
        # readability's class/id tests depend on those two attributes only, and a page
        # repeats the same few hundred class names on thousands of elements.
        self._class_weights: dict[tuple[str | None, str | None], int] = {}
        self._unlikely_features: dict[str, bool] = {}

    def _parse(self, input: Page) -> lxml.html.HtmlElement:
        # readability edits the tree (and may parse twice), so a parsed page is copied.
        doc = copy.deepcopy(input) if isinstance(input, lxml.html.HtmlElement) else lxml.html.document_fromstring(input)
        lxml.etree.strip_elements(
            doc, lxml.etree.Comment, lxml.etree.ProcessingInstruction,
            "script", "style", "noscript", "link", "meta", "template", with_tail=False,
        )
        # Containers trafilatura always discards: readability then judges the same
        # candidate text, and runs ~25% faster on the smaller tree.
        lxml.etree.strip_elements(doc, *_NEVER_ARTICLE_TAGS, with_tail=False)
        for element in doc.xpath("//*[@hidden]"):
            element.drop_tree()
        for element in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE.search(element.get("style", "")):
                element.drop_tree()
        return doc

    def class_weight(self, e: lxml.html.HtmlElement) -> int:
        key = (e.get("class"), e.get("id"))
        if key not in self._class_weights:
            self._class_weights[key] = super().class_weight(e)
        return self._class_weights[key]

    def remove_unlikely_candidates(self) -> None:
        # readability-lxml 0.9's pruning of elements whose class or id reads as page furniture
        # (unless it also reads as content, or holds the article), its two regex tests run
        # once per distinct class and id, and no debug line formatted per removal.
        for elem in self.html.findall(".//*"):
            features = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if len(features) < 2:
                continue
            if features not in self._unlikely_features:
                self._unlikely_features[features] = bool(
                    READABILITY_PATTERNS["unlikelyCandidatesRe"].search(features)
                    and not READABILITY_PATTERNS["okMaybeItsACandidateRe"].search(features)
                )
            if (
                self._unlikely_features[features]
                and elem.tag not in ("html", "body")
                and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                and not elem.xpath("descendant-or-self::main | descendant-or-self::article | descendant-or-self::math")
            ):
                elem.drop_tree()

    def score_paragraphs(self) -> dict:
        # readability-lxml 0.9's scoring, with the same arithmetic in the same order: each
        # paragraph of 25+ characters adds 1 + its comma-separated parts + length/100 (at most 3)
        # to its parent and half that to its grandparent, then each candidate is scaled by
        # (1 - link density). Its paragraph text is measured by _readability_text_length
        # (clean() keeps every comma), and no debug line is formatted per candidate.
        candidates: dict = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grandparent = parent.getparent()
            text = elem.text_content() or ""
            length = _readability_text_length(text)
            if length < self.min_text_length:
                continue
            for node in (parent, grandparent):
                if node is not None and node not in candidates:
                    candidates[node] = self.score_node(node)
                    ordered.append(node)
            score = 1
            score += text.count(",") + 1
            score += min(length / 100, 3)
            candidates[parent]["content_score"] += score
            if grandparent is not None:
                candidates[grandparent]["content_score"] += score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def get_link_density(self, elem: lxml.html.HtmlElement) -> float:
        # readability-lxml 0.9's measure (link text over all text, lengths after its clean()),
        # with the lengths computed by _readability_text_length: the same numbers, without the
        # three regex passes over each candidate's text that took ~30% of readability's time.
        link_length = sum(_readability_text_length(link.text_content() or "") for link in elem.findall(".//a"))
        return float(link_length) / max(_readability_text_length(elem.text_content() or ""), 1)

    def transform_misused_divs_into_paragraphs(self) -> None:
        # readability-lxml 0.9's method, ~15% of its time: it serialises every
        # child of every <div> to look for a block tag in the markup. Looking at
        # the descendants' tags decides the same (texts identical on both sets),
        # in a fraction of the time.
        for elem in self.tags(self.html, "div"):
            if not any(_is_readability_block(child) for child in elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                paragraph = lxml.html.fragment_fromstring("<p/>")
                paragraph.text = elem.text
                elem.text = None
                elem.insert(0, paragraph)
            for child in children:
                if child.tag == "br" or child.tag not in _READABILITY_INLINE_TAGS or _is_readability_block(child):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = lxml.html.fragment_fromstring("<p/>")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for position, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    tail = lxml.html.fragment_fromstring("<p/>")
                    tail.text = child.tail
                    child.tail = None
                    elem.insert(position + 1, tail)
                if child.tag == "br":
                    child.drop_tree()


# readability's test for a <div> that holds blocks: its markup matches
# "<(blockquote|dl|div|img|ol|p|pre|table|ul)", i.e. an element whose tag starts so.
_READABILITY_BLOCK_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
_READABILITY_INLINE_TAGS = frozenset(("a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"))


# What readability-lxml's clean() still changes inside one line: tabs, double spaces, and runs of
# 255 or more whitespace characters (which it first turns into 255 spaces).
_READABILITY_SPACE_RUNS = re.compile(r"\s{255,}")
_READABILITY_TABS_AND_SPACES = re.compile(r"\t|[ \t]{2,}")


def _readability_line_length(line: str) -> int:
    if "\t" in line or "  " in line or (len(line) >= 255 and len(line) - len("".join(line.split())) >= 255):
        return len(_READABILITY_TABS_AND_SPACES.sub(" ", _READABILITY_SPACE_RUNS.sub(" " * 255, line)))
    return len(line)


def _readability_text_length(text: str) -> int:
    """``len(readability.readability.clean(text))``, with string methods instead of three regex passes.

    clean() turns each whitespace run that holds a line break into one newline and strips the
    ends, so the length is that of the non-blank lines, stripped, plus one per break between
    them; inside a line only its last two rules can change anything.
    """
    lines = [line for line in (part.strip() for part in text.split("\n")) if line]
    return sum(map(_readability_line_length, lines)) + len(lines) - 1 if lines else 0


def _is_readability_block(element: lxml.html.HtmlElement) -> bool:
    """Whether ``element`` or one of its descendants has a tag readability counts as a block."""
    return any(
        isinstance(node.tag, str) and node.tag.lower().startswith(_READABILITY_BLOCK_PREFIXES)
        for node in element.iter()
    )


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block element, spaces normalised."""
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter(*_BLOCK_TAGS):
        # A newline after each block keeps paragraphs apart (text_content() would glue them).
        element.tail = "\n" + (element.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def readability_text(page: Page, url: str | None = None) -> str:
    """readability-lxml's article text ("" when the page has no body)."""
    summary = _TextOnlyReadability(page, url=url).summary(html_partial=True)
    return html_fragment_to_text(summary)


def without_repeated_lines(text: str) -> str:
    """``text`` without the lines (of three words or more) that occur in it more than once."""
    lines = [line for line in text.splitlines() if line.strip()]
    counts = Counter(lines)
    return "\n".join(line for line in lines if counts[line] == 1 or len(tokenize(line)) < 3)


def newspaper_text(page: Page, url: str | None = None) -> str:
    """newspaper4k's article text; slow (~75 ms a page), so a last resort only."""
    import newspaper  # imported here: loading it costs ~1 s and it is rarely needed

    html = page if isinstance(page, str) else lxml.html.tostring(page, encoding="unicode")
    article = newspaper.Article(url or "http://localhost/", fetch_images=False)
    article.download(input_html=html)
    article.parse()
    return article.text or ""


def _shingle_set(tokens: list[str]) -> set[tuple[str, ...]]:
    """The distinct shingles of ``tokens``: ``set(shingles(tokens))`` without counting them first."""
    if len(tokens) < SHINGLE_SIZE:
        return {tuple(tokens)} if tokens else set()
    return set(zip(*(tokens[start:] for start in range(SHINGLE_SIZE))))


def _shares_reference(tokens: list[str], reference_shingles: set, reference_joined: str) -> bool:
    """Whether one line of trafilatura's text is (mostly) in readability's text."""
    if len(tokens) < 4:
        # Too short for shingles: require the exact token run in the reference.
        return bool(tokens) and f" {' '.join(tokens)} " in reference_joined
    line_shingles = _shingle_set(tokens)
    return len(line_shingles & reference_shingles) / len(line_shingles) >= LINE_AGREEMENT


def trim_to_reference(primary: str, reference_tokens: list[str]) -> str:
    """``primary`` without its leading and trailing lines that the reference lacks."""
    lines = [line for line in primary.splitlines() if line.strip()]
    line_tokens = [tokenize(line) for line in lines]
    reference_shingles = _shingle_set(reference_tokens)
    reference_joined = f" {' '.join(reference_tokens)} "

    def agrees(index: int) -> bool:
        return _shares_reference(line_tokens[index], reference_shingles, reference_joined)

    # Only the first and the last agreeing lines matter: the lines between them are not tested.
    first = next((index for index in range(len(lines)) if agrees(index)), None)
    if first is None:
        return primary
    last = next(index for index in reversed(range(first, len(lines))) if agrees(index))
    kept_tokens = sum(len(tokens) for tokens in line_tokens[first:last + 1])
    if kept_tokens < MIN_KEPT_SHARE * sum(len(tokens) for tokens in line_tokens):
        return primary
    return "\n".join(lines[first:last + 1])


def _added_prose_share(primary_tokens: list[str], reference: str) -> float:
    """Share of the tokens ``reference`` adds to ``primary`` that are in prose lines."""
    primary_shingles = _shingle_set(primary_tokens)
    primary_joined = f" {' '.join(primary_tokens)} "
    added = prose = 0
    for line in reference.splitlines():
        tokens = tokenize(line)
        if not tokens or _shares_reference(tokens, primary_shingles, primary_joined):
            continue
        added += len(tokens)
        if len(tokens) >= PROSE_LINE_TOKENS and _SENTENCE_END.search(line):
            prose += len(tokens)
    return prose / added if added else 1.0


def _containment(inner_tokens: list[str], outer_tokens: list[str]) -> float:
    """Share of ``inner``'s shingles (with multiplicity) that also occur in ``outer``."""
    inner = shingles(inner_tokens)
    if not inner:
        return 0.0
    outer = _shingle_set(outer_tokens)
    return sum(count for shingle, count in inner.items() if shingle in outer) / sum(inner.values())


def combine(primary: str, reference: str) -> str:
    """Merge trafilatura's text (``primary``) with readability's (``reference``)."""
    reference = without_repeated_lines(reference)
    reference_tokens = tokenize(reference)
    if not reference_tokens:
        return primary
    primary_tokens = tokenize(primary)
    length_ratio = len(reference_tokens) / max(1, len(primary_tokens))
    if length_ratio >= PARTIAL_RECOVERY_LENGTH_RATIO:
        containment = _containment(primary_tokens, reference_tokens)
        if length_ratio >= RECOVERY_LENGTH_RATIO and containment >= RECOVERY_CONTAINMENT:
            return reference
        if (
            containment >= PARTIAL_RECOVERY_CONTAINMENT
            and _added_prose_share(primary_tokens, reference) >= PARTIAL_RECOVERY_PROSE_SHARE
        ):
            return reference
    return trim_to_reference(primary, reference_tokens)


def _safely(extractor: Callable[[Page, str | None], str], page: Page, url: str | None) -> str:
    """Run one extractor; a crash inside a third-party tool counts as no text."""
    try:
        return extractor(page, url)
    except Exception as exc:  # noqa: BLE001 - any library bug must not lose the page
        log.warning("%s failed on %s: %s: %s", extractor.__name__, url or "page", type(exc).__name__, exc)
        return ""


def _trafilatura_with_fallbacks(page: Page, url: str | None) -> str:
    return trafilatura_text(page, url, fast=False)


def needs_trafilatura_fallbacks(fast_text: str, reference: str) -> bool:
    """Whether trafilatura's fast text looks cut short: short itself, or well below readability's."""
    return len(fast_text) < FALLBACK_BELOW_CHARS or len(reference) > FALLBACK_READABILITY_RATIO * len(fast_text)


def combined_text(page: Page, url: str | None = None) -> str:
    """The article body: trafilatura checked against readability, then a fallback.

    When trafilatura finds no body, newspaper4k is tried; "" means no tool
    found article text (at least ``MIN_ARTICLE_CHARS`` letters and digits).
    """
    primary = _safely(trafilatura_text, page, url)
    reference = _safely(readability_text, page, url)
    if needs_trafilatura_fallbacks(primary, reference):
        primary = _safely(_trafilatura_with_fallbacks, page, url)
    if is_article_sized(primary):
        return combine(primary, reference)
    text = _safely(newspaper_text, page, url)
    return text if is_article_sized(text) else ""


def without_headline(text: str, headline: str | None) -> str:
    """``text`` without a line among its first three that is the headline word for word.

    The body is what follows the headline; trafilatura often starts it with the
    headline again.
    """
    if not headline or not (headline_tokens := tokenize(headline.casefold())):
        return text
    lines = text.splitlines()
    nonblank_seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if tokenize(line.casefold()) == headline_tokens:
            return "\n".join(lines[:index] + lines[index + 1:])
        nonblank_seen += 1
        if nonblank_seen == 3:
            break
    return text


def is_article_sized(text: str) -> bool:
    return sum(map(len, tokenize(text))) >= MIN_ARTICLE_CHARS
