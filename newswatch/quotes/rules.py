"""The attribution rules: which quoted span or reported clause belongs to which speaker mention and cue.

``TextAnalysis`` indexes one parsed text (paragraphs, quote marks, tokens by offset);
``QuoteRules`` walks its quoted spans and reported-speech clauses and returns ``Candidate``s
(direct, mixed, indirect, floating), in reading order, for ``extraction`` to resolve.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newswatch.quotes.marks import (
    ALL_MARKS,
    Paragraph,
    QuotedSpan,
    find_quoted_spans,
    split_paragraphs,
)
from newswatch.quotes.speakers import (
    CHARACTERISING_VERBS,
    DOCUMENT_NOUNS,
    INDIRECT_VERBS,
    JUDGING_VERBS,
    PERSON_NOUNS,
    SPEECH_VERBS,
    Speaker,
    is_age_phrase,
    is_plausible_speaker,
    looks_like_name,
)
from newswatch.quotes.speech_acts import DENIAL_VERBS, governing_request

MIN_EMBEDDED_WORDS = 1
# A quoted word or two is someone's own only when a named speaker or "he"/"she" uses it;
# shorter quoted phrases that a group or an unnamed "some" uses are catchwords.
MIN_PHRASE_WORDS = 3


MIN_UNTAGGED_WORDS = 3
# How many arcs up the parse a quoted phrase may sit below its reporting verb: reported clauses nest
# deeply ("said that he is in favor of bringing back waterboarding and “a hell of a lot worse”").
MAX_VERB_DISTANCE = 10
# How far after a quotation its reporting verb may come: past a long apposition
# ("Fred Kagan, director of the Critical Threats Project at the American Enterprise Institute, said").
MAX_TAG_TOKENS = 24
# How close after a quotation a verb of any kind must come to make its tag ("“…,” the senator grinned").
BARE_TAG_TOKENS = 4
# How far up the parse from a quotation the last-resort rule looks for the verb whose predicate holds it.
MAX_PREDICATE_DEPTH = 4


_SENTENCE_END = {".", "!", "?"}


_TAG_PUNCT = (",", "?", "!", "—", "–", "…", "-")
_DASHES = ("—", "―", "–", "-", "--")


# Words opening a contrasting clause after a mixed quote's last quotation.
_CONTRAST_OPENERS = frozenset(("while", "whereas", "though", "although"))
_EDGE_STRIP = " \n\t,;:."
# Nouns that name a statement: their owner said what their that-clause says ("her claim that …").
STATEMENT_NOUNS = frozenset(
    """remark comment claim assertion accusation statement warning promise pledge suggestion argument insistence
    contention declaration charge allegation admission boast vow prediction complaint""".split()
)


@dataclass
class Candidate:
    kind: str  # direct | mixed | indirect | floating
    contents: list[tuple[int, int]]
    subject: Token | None = None
    subject_span: tuple[int, int] | None = None
    cue: tuple[int, int] | None = None
    quote: QuotedSpan | None = None
    inherits: bool = False  # floating: takes the speaker of the quote before it
    tag_end: int = 0  # end of the speech tag's sentence part, for joining split quotes
    speaker: Speaker = field(default_factory=lambda: Speaker(None))

    @property
    def start(self) -> int:
        return self.contents[0][0]

    @property
    def extent_end(self) -> int:
        """Where this quote and its tag end, for adjacency tests."""
        ends = [self.contents[-1][1], self.tag_end] + [s[1] for s in (self.subject_span, self.cue) if s]
        return max(ends)


class TextAnalysis:
    """One text, its parse and its quotations, with the lookups the rules share."""

    def __init__(self, text: str, doc: Doc):
        self.text = text
        self.doc = doc
        self.paragraphs = split_paragraphs(text)
        self._para_starts = [p.start for p in self.paragraphs]
        self.quotes = find_quoted_spans(text, self.paragraphs)
        self._token_starts = [t.idx for t in doc]
        self._quote_bounds = sorted((f[0], f[1]) for q in self.quotes for f in q.fragments)

    def paragraph_of(self, pos: int) -> Paragraph:
        return self.paragraphs[max(0, bisect.bisect_right(self._para_starts, pos) - 1)]

    def token_at(self, pos: int) -> Token | None:
        i = bisect.bisect_left(self._token_starts, pos)
        return self.doc[i] if i < len(self.doc) else None

    def tokens_in(self, start: int, end: int) -> list[Token]:
        lo = bisect.bisect_left(self._token_starts, start)
        hi = bisect.bisect_left(self._token_starts, end)
        return [t for t in self.doc[lo:hi] if not t.is_space]

    def inside_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self._quote_bounds, (pos, float("inf"))) - 1
        return i >= 0 and self._quote_bounds[i][0] <= pos < self._quote_bounds[i][1]

    def is_mark_token(self, token: Token) -> bool:
        return all(c in ALL_MARKS for c in token.text)

    def post_window(self, end: int) -> list[Token]:
        """Tokens after a quotation up to the end of its sentence or the next quotation."""
        para = self.paragraph_of(end - 1)
        window = []
        for token in self.tokens_in(end, para.end):
            if _ends_sentence(token) or (self.is_mark_token(token) and self.inside_quote(token.idx)):
                break
            window.append(token)
            if len(window) >= 40:
                break
        return window

    def pre_window(self, start: int) -> list[Token]:
        """Tokens before a quotation back to the previous sentence end or quotation."""
        para = self.paragraph_of(start)
        window: list[Token] = []
        for token in reversed(self.tokens_in(para.start, start)):
            if _ends_sentence(token) or (self.is_mark_token(token) and self.inside_quote(token.idx)):
                break
            window.insert(0, token)
            if len(window) >= 50:
                break
        return window


def _ends_sentence(token: Token) -> bool:
    """A full stop, question or exclamation mark; not the dot of an abbreviation the tokenizer split
    off and the tagger kept in the name ("Lt. Gen. Ada Brennan")."""
    return token.text in _SENTENCE_END and not (token.text == "." and token.pos_ == "PROPN")


def _span_of(tokens: list[Token]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _phrase(head: Token, limit: tuple[int, int]) -> tuple[int, int]:
    """Character span of a noun phrase (its subtree) kept inside ``limit``, edges trimmed."""
    tokens = [t for t in head.subtree if limit[0] <= t.idx < limit[1] and not t.is_space]
    # A subtree can swallow a following clause through a bad attachment: keep the contiguous run around the head.
    run = [head]
    ids = {t.i for t in tokens}
    i = head.i - 1
    while i in ids:
        run.insert(0, head.doc[i])
        i -= 1
    i = head.i + 1
    while i in ids:
        run.append(head.doc[i])
        i += 1
    while run and (run[0].is_punct or run[0].is_space) and run[0] != head:
        run.pop(0)
    while run and (run[-1].is_punct or run[-1].is_space) and run[-1] != head:
        run.pop()
    return _span_of(run)


def _nearest_subject(verb: Token, allowed: set[int] | None = None) -> Token | None:
    """The verb's subject; the one nearest the verb when a bad parse gives several ("Verselab co - founder Wen Li")."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and (allowed is None or c.i in allowed)]
    return min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None


def _subject_of(verb: Token) -> Token | None:
    """The subject of a reporting verb, looking through "adding that", "and said", "speaking at"."""
    current = verb
    for _ in range(3):
        subject = _nearest_subject(current)
        if subject is not None:
            return subject
        head = current.head
        if current.dep_ == "acl" and head.dep_ == "ROOT" and head.i < current.i and head.pos_ in ("NOUN", "PROPN"):
            # "One lawmaker called Trump “…”" parsed as a noun with a reduced relative: a sentence has a
            # main verb, so the noun is the verb's subject.
            return head
        if current.dep_ in ("advcl", "xcomp", "conj", "acl", "ccomp") and current.head != current:
            current = current.head
        elif current.dep_ == "pcomp" and current.head.dep_ == "prep":
            current = current.head.head  # "began by saying": the one who began
        elif current.dep_ == "dobj" and current.lemma_.lower() in DOCUMENT_NOUNS:
            current = current.head  # "issued a statement saying …": the statement's issuer says it
        else:
            return None
    return None


def _subject_on_surface(verb: Token) -> Token | None:
    """"In a call with hosts A and B, the director stated that …", "Rep. Ada Brennan (D-Ore.) said …":
    a finite verb left without a subject by a parse that hung the noun before it on an earlier phrase;
    that noun (past adverbs and a bracketed aside) is its subject."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children):
        return None
    i = _skip_relative_aside(verb.doc, verb.i - 1, verb.sent.start)
    # Adverbs, a bracketed aside and a comma-enclosed adverb ("Okafor, meanwhile, said") lie between.
    while i >= verb.sent.start and (verb.doc[i].pos_ == "ADV" or verb.doc[i].text == ")" or (verb.doc[i].text == "," and verb.doc[i + 1].pos_ == "ADV")):
        if verb.doc[i].text == ")":
            while i >= verb.sent.start and verb.doc[i].text != "(":
                i -= 1
        i -= 1
        i = _skip_relative_aside(verb.doc, i, verb.sent.start)
    if i < verb.sent.start:
        return None
    candidate = verb.doc[i]
    if candidate.pos_ not in ("NOUN", "PROPN") or candidate.dep_ in ("pobj", "dobj", "poss", "compound"):
        return None
    return candidate


def _skip_relative_aside(doc: Doc, i: int, sentence_start: int) -> int:
    """"Okafor, meanwhile, who chairs the union, said …": from the comma closing a relative
    aside (", who …," / ", which …,"), the index of the token before the aside; else ``i`` unchanged."""
    if i < sentence_start or doc[i].text != ",":
        return i
    j = i - 1
    while j > sentence_start and doc[j].text not in (",", ";", ":") and not (doc[j].lower_ in ("who", "which") and doc[j - 1].text == ","):
        j -= 1
    if j > sentence_start and doc[j].lower_ in ("who", "which") and doc[j - 1].text == ",":
        return j - 2
    return i


def _according_to(tokens: list[Token]) -> tuple[Token, Token] | None:
    """("according" token, head of its object) when the window has "according to X"."""
    for token in tokens:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
            objects = [c for c in token.doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects:
                return token, objects[0]
    return None


def _word_sequence(text: str) -> str:
    """Words only, lower case, space-delimited at both ends: for finding one passage's words in another."""
    return " " + " ".join(re.findall(r"\w+", text.casefold())) + " "


def _predicate(verb: Token) -> list[Token]:
    """The words after a verb that complete it (objects, complements, modifiers), in text order."""
    # "questioned Brill’s “Nashville values” and her readiness to lead": a second object the parse
    # hangs on the verb as a conjunct is still what the verb takes.
    objects = [c for c in verb.children if c.i > verb.i and c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN")]
    kept = [c for c in verb.children if c.i > verb.i and c.dep_ not in ("punct", "cc", "conj")] + objects
    kept += [c for c in verb.children if c.dep_ == "cc" and any(o.i > c.i for o in objects)]
    return sorted((t for c in kept for t in c.subtree if not t.is_space), key=lambda t: t.i)


def _one_person(subject: Token) -> bool:
    """A subject naming one speaker: a name, "he"/"she"/"I"/"we", a singular person noun ("the senator");
    not a group ("critics")."""
    one = looks_like_name(subject) or subject.lower_ in ("he", "she", "i", "we") or subject.lemma_.lower() in PERSON_NOUNS
    return one and subject.tag_ != "NNS"


def _one_that_clause(tokens: list[Token]) -> bool:
    """"wrote that Christie was thinking:" leads to its quotation; "said that Cuba would sue, Rubio fired
    back:" holds a second clause with its own speaker, so before a colon only a that-clause without a
    break does."""
    that = next((t for t in tokens if t.lower_ == "that" and t.dep_ == "mark"), None)
    return that is not None and not any(t.text in (",", ";", "—", "–") for t in tokens if t.i > that.i)


def _is_cue_verb(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return lemma in SPEECH_VERBS or lemma in INDIRECT_VERBS or lemma in CHARACTERISING_VERBS or lemma in JUDGING_VERBS or lemma in DENIAL_VERBS


def _goes_on(quote: Candidate, analysis: TextAnalysis) -> bool:
    """Whether an untagged quotation after ``quote`` in its paragraph is its next fragment: after a
    direct quote, or a whole mixed or reported sentence tagged after its words ("The levy is “a tax on
    musicians,” Okafor said. “…”", "The deal is dead, Okafor said. “…”"); not after a clause that starts
    inside a sentence ("X said she felt the law “…,” she said. “…”": the clause is part of X's report,
    the tag a second one)."""
    if quote.kind == "direct":
        return True
    tagged_after = quote.kind in ("mixed", "indirect") and quote.cue is not None and quote.cue[0] >= quote.contents[-1][1]
    before = analysis.text[analysis.paragraph_of(quote.start).start : quote.start].rstrip()
    return tagged_after and (not before or before[-1] in ".!?”\"’")


def _takes_that_clause(verb: Token, clause: Token) -> bool:
    """"The mayor worried that the budget was “a house of cards”", "the panel recognized that …": quoted
    words in a that-clause are the words of the verb's subject, whatever the verb."""
    return verb.pos_ == "VERB" and clause.dep_ == "ccomp" and any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _goes_on_with_the_sentence(token: Token) -> bool:
    """After ", she said,": a finite present or auxiliary verb ("would turn …", "has …") or "that" goes on with
    the quoted sentence; a past form ("angered that …") or a noun ("director of …") describes the speaker."""
    return token.lower_ == "that" or token.pos_ == "AUX" or token.tag_ in ("VBZ", "VBP", "MD")


def _opens_aside(token: Token) -> bool:
    """After a comma, the writer's own words: a participle (", referring to …"), a relative (", which …")."""
    return token.tag_ == "VBG" or token.lower_ in ("which", "who") or (token.pos_ == "ADV" and token.i + 1 < len(token.doc) and token.nbor(1).tag_ == "VBG")


def _is_title_like(inner: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", inner)]
    small = {"a", "an", "the", "of", "in", "on", "and", "or", "for", "to", "from", "with", "at", "by"}
    content_words = [w for w in words if w.lower() not in small]
    return len(content_words) >= 2 and all(w[0].isupper() for w in content_words) and not inner.rstrip(",”’\"' ").endswith(".")


class QuoteRules:
    def __init__(self, analysis: TextAnalysis):
        self.analysis = analysis
        self.candidates: list[Candidate] = []
        self.consumed: set[int] = set()  # ids of QuotedSpans already part of a candidate

    # -- direct and mixed quotes -------------------------------------------------

    def run(self) -> list[Candidate]:
        quotes = self.analysis.quotes
        for index, quote in enumerate(quotes):
            if id(quote) in self.consumed:
                continue
            candidate = self._embedded(quote) or self._parenthetical_tag(quote) or self._post_tag(quote) or self._byline(quote) or self._pre_tag(quote) or self._prev_paragraph_colon(quote) or self._characterised_on_surface(quote) or self._predicate_of_a_named_speaker(quote)
            if candidate is None:
                candidate = self._untagged(quote)
            if candidate is None:
                continue
            self.consumed.add(id(quote))
            # A tagged quote takes the untagged fragments after it, also when its sentence lead made it mixed.
            if (candidate.kind == "direct" or candidate.tag_end) and candidate.cue is not None:
                self._absorb_continuations(candidate, quotes[index + 1 :])
            self.candidates.append(candidate)
        self._indirect()
        self.candidates.sort(key=lambda c: c.start)
        self._attach_floating()
        self._drop_overlapping()
        self._drop_headline_repeats()
        return self.candidates

    def _drop_overlapping(self) -> None:
        """One statement is stored once: of quotes sharing words (two quoted fragments of one reported
        clause, two verbs claiming the same clause), the one keeping quoted words, then the longer, stays."""
        ranked = sorted(self.candidates, key=lambda c: (c.kind == "indirect", -sum(e - s for s, e in c.contents)))
        kept: list[Candidate] = []
        for candidate in ranked:
            if not any(s < e2 and s2 < e for k in kept for s, e in candidate.contents for s2, e2 in k.contents):
                kept.append(candidate)
        self.candidates = sorted(kept, key=lambda c: c.start)

    def _drop_headline_repeats(self) -> None:
        """A headline quoting words the article then reports (‘We Do Not Pay Candidates’) is the same
        statement: stored once, from the body, where its speaker and context are."""
        paragraphs = self.analysis.paragraphs
        if len(paragraphs) < 2:
            return
        body = _word_sequence(self.analysis.text[paragraphs[1].start :])
        self.candidates = [
            c for c in self.candidates
            if self.analysis.paragraph_of(c.start).index > 0
            or _word_sequence(" ".join(self.analysis.text[s:e] for s, e in c.contents)) not in body
        ]

    def _words(self, quote: QuotedSpan) -> int:
        return len(quote.inner_text(self.analysis.text).split())

    def _direct(self, quote: QuotedSpan, subject: Token | None, subject_span, cue) -> Candidate:
        return Candidate("direct", list(quote.fragments), subject, subject_span, cue, quote)

    def _embedded(self, quote: QuotedSpan) -> Candidate | None:
        """A quoted phrase inside a sentence, governed by a reporting or characterising verb."""
        if not self._inside_sentence(quote) or self._words(quote) < MIN_EMBEDDED_WORDS:
            return None
        root = self._quote_root(quote)
        if root is None:
            return None
        arc, verb = root, root.head
        for _ in range(MAX_VERB_DISTANCE):
            # The verb comes before the quote, or after the whole reported clause ("X had “…” yet, she said").
            placed = verb.idx < quote.start or (arc.dep_ == "ccomp" and arc.left_edge.idx < quote.start)
            if placed and verb.pos_ in ("VERB", "AUX") and not self.analysis.inside_quote(verb.idx):
                if _is_cue_verb(verb) or _takes_that_clause(verb, arc):
                    request = governing_request(verb)
                    if request is not None:
                        # "FPCA demanded that Wavelane confirm “…”": FPCA's demand, neither party's claim.
                        arc, verb = verb, request
                    subject = _subject_of(verb) or _subject_on_surface(verb)
                    if subject is not None and is_plausible_speaker(subject) and not self.analysis.inside_quote(subject.idx):
                        break
                    # "Marsh said Costa was right to urge voters “…”", "a voice that said “…”": a cue verb
                    # without a speaker of its own sits inside what a verb higher up reports.
            if arc.dep_ in ("acl", "ccomp") and verb.pos_ == "NOUN" and verb.lemma_.lower() in STATEMENT_NOUNS:
                named = self._statement_noun(quote, verb, arc)
                if named is not None:
                    return named
            if verb.head == verb:
                return None
            arc, verb = verb, verb.head
        else:
            return None
        arc, verb, subject = self._outermost_report(arc, verb, subject)
        # "The audit concluded that the accounts were “sloppy” …": a phrase inside a clause a speech verb
        # reports is the speaker's word, however short; the catchword test is for names given.
        reported = arc.dep_ == "ccomp" and verb.lemma_.lower() in SPEECH_VERBS and arc.i > verb.i
        if not reported and not self._owns_phrase(quote, subject):
            return None
        if subject.dep_ == "nsubjpass" or any(c.dep_ == "auxpass" for c in verb.children):
            return None  # "was dubbed “…” by a blog": the subject is not the one speaking
        subject_span = self._subject_phrase(subject, verb)
        cue = _span_of([verb])
        lemma = verb.lemma_.lower()
        if lemma in CHARACTERISING_VERBS:
            # "described the field as “all very good”": what was characterised belongs to the quote.
            # "called both Trump and Clinton “crazy”": all between the verb and the quotation, however parsed.
            between = [t for t in self.analysis.tokens_in(verb.idx + len(verb), quote.start) if not t.is_punct]
            objects = [c for c in verb.children if c.dep_ == "dobj" and c.idx < quote.start]
            start = between[0].idx if between and verb.idx < quote.start else objects[0].left_edge.idx if objects else quote.start
            # "called the ruling “a clear win” for session musicians across …": the phrase holding
            # the quotation runs on to its own end; the writer's aside after it stays out.
            holder = next((c for c in verb.children if c.i > verb.i and c.left_edge.idx <= quote.start and c.right_edge.idx >= quote.end - 1), None)
            end = quote.end
            if holder is not None and verb.idx < quote.start:
                end = max(end, self._trim_end(start, self._aside_start(start, _span_of([holder.right_edge])[1]), quote.end))
            return Candidate("mixed", [(start, self._with_reason(verb, start, end))], subject, subject_span, cue, quote)
        if verb.idx > quote.start and arc.dep_ != "ccomp":
            return Candidate("direct", [(quote.start, quote.end)], subject, subject_span, cue, quote)
        if arc.dep_ == "ccomp":
            clause = [t for t in arc.subtree if not t.is_space]
        else:
            # "pledged to oppose legal status “today, tomorrow, forever”", "accused Obama of “…”":
            # the quoted words belong to the verb's whole predicate.
            clause = _predicate(verb)
            # "told diners at a cafe that “…”": the one told is not what was said.
            that = next((t for t in clause if t.lower_ == "that" and t.dep_ == "mark" and t.idx < quote.start), None)
            if that is not None and lemma in SPEECH_VERBS:
                clause = [t for t in clause if t.i >= that.i]
        start, end = self._holding_clause(clause, quote)
        return Candidate("mixed", [(start, self._with_reason(verb, start, end))], subject, subject_span, cue, quote)

    def _with_reason(self, verb: Token, start: int, end: int) -> int:
        """"called the report a “rush to judgment,” because delegates can still change their minds": the
        reason the speaker gives, right after the quote, is part of what they said."""
        because = next((c for c in verb.children if c.dep_ == "advcl" and c.left_edge.lower_ == "because" and c.left_edge.idx >= end), None)
        if because is None or any(not t.is_punct for t in self.analysis.tokens_in(end, because.left_edge.idx)):
            return end
        return self._trim_end(start, _span_of([because.right_edge])[1], end)

    def _inside_sentence(self, quote: QuotedSpan) -> bool:
        """A quotation that goes on a sentence's words (not one opening a sentence or following a tag's
        punctuation), and is no title."""
        text = self.analysis.text
        before = text[self.analysis.paragraph_of(quote.start).start : quote.start].rstrip()
        return bool(before) and (before[-1].isalnum() or before[-1] in "’'") and not _is_title_like(quote.inner_text(text))

    def _quote_root(self, quote: QuotedSpan) -> Token | None:
        """The first word inside the quotation whose head lies outside it: where the parse hangs the quote."""
        inside = self.analysis.tokens_in(quote.start, quote.end)
        return next((t for t in inside if (not (quote.start <= t.head.idx < quote.end) or t.head == t) and not t.is_punct), None)

    def _subject_phrase(self, subject: Token, verb: Token) -> tuple[int, int]:
        """The speaker's noun phrase, kept within its paragraph and on its side of the verb."""
        paragraph = self.analysis.paragraph_of(subject.idx)
        return _phrase(subject, (paragraph.start, verb.idx if subject.idx < verb.idx else paragraph.end))

    def _holding_clause(self, clause: list[Token], quote: QuotedSpan) -> tuple[int, int]:
        """The reported clause holding the quotation, from its first word (past a leading conjunction other
        than "that", or a comma) to its end, less a trailing aside of the writer's."""
        while clause and ((clause[0].dep_ == "mark" and clause[0].lower_ != "that") or clause[0].is_punct) and clause[0].idx < quote.start:
            clause = clause[1:]
        start = min(clause[0].idx, quote.start) if clause else quote.start
        end = max(_span_of(clause)[1], quote.end) if clause else quote.end
        return start, self._trim_end(start, self._aside_start(start, end), quote.end)

    def _predicate_of_a_named_speaker(self, quote: QuotedSpan) -> Candidate | None:
        """"Lindqvist heralded the settlement as “a turning point for session players”", "Okafor left
        early, framing the fee as “a small price for fair pay”": a quotation of some length in the
        predicate of any verb whose subject (or, for a participle, its clause's subject) is one named
        person or a pronoun for one is that person's mixed quote, whatever the verb. A last resort,
        after the reporting-verb rules; groups ("critics") and catchwords of a word or two stay out,
        as do headlines in title case."""
        if not self._inside_sentence(quote) or self._words(quote) < MIN_PHRASE_WORDS:
            return None
        verb = self._quote_root(quote)
        for _ in range(MAX_PREDICATE_DEPTH):
            if verb is None or verb.head == verb:
                return None
            verb = verb.head
            if verb.pos_ == "VERB" and verb.idx < quote.start and not self.analysis.inside_quote(verb.idx):
                break
        else:
            return None
        subject = _nearest_subject(verb)
        if subject is None and verb.tag_ == "VBG":
            # "Okafor left early, framing the fee as “…”": the participle's clause has the subject.
            subject = _subject_of(verb)
            if subject is not None and subject.sent != verb.sent:
                subject = None
        if subject is None or subject.dep_ == "nsubjpass" or any(c.dep_ == "auxpass" for c in verb.children) or self.analysis.inside_quote(subject.idx):
            return None
        if not _one_person(subject) or not verb.text[:1].islower():
            return None
        span = self._holding_clause(_predicate(verb), quote)
        return Candidate("mixed", [span], subject, self._subject_phrase(subject, verb), _span_of([verb]), quote)

    def _outermost_report(self, arc: Token, verb: Token, subject: Token) -> tuple[Token, Token, Token]:
        """"Grant said he would sit the minister down and tell him “no more delays”": a cue inside the clause
        a verb higher up reports belongs to that report; the outer verb and its speaker take the quote."""
        # "…, while Okafor said that the “stakes …”", "… and insisted that the deal was “…”": a verb that
        # reports its own that-clause is a report of its own; one with its own subject keeps its speaker too.
        own_report = verb.dep_ in ("conj", "advcl") and _is_cue_verb(verb) and _takes_that_clause(verb, arc)
        if own_report and any(c.dep_ == "nsubj" for c in verb.children):
            return arc, verb, subject
        current = verb
        for _ in range(4):
            if current.dep_ not in ("ccomp", "conj", "xcomp", "advcl") or current.head == current:
                break
            outer = current.head
            if outer.pos_ == "VERB" and _is_cue_verb(outer) and current.dep_ == "ccomp" and outer.i < current.i:
                outer_subject = _subject_of(outer)
                if outer_subject is not None and is_plausible_speaker(outer_subject) and not self.analysis.inside_quote(outer_subject.idx):
                    return (arc if own_report else current), outer, outer_subject
            current = outer
        return arc, verb, subject

    def _owns_phrase(self, quote: QuotedSpan, subject: Token) -> bool:
        """Whether a quoted phrase is the subject's own words. "critics call it “data laundering”": a catchword
        in general use, not someone's words; a short utterance ends as a sentence does ("a man yelled “Stay there!”")."""
        if self._words(quote) >= MIN_PHRASE_WORDS:
            return True
        inner = quote.inner_text(self.analysis.text).rstrip(" ,")
        utterance = inner.endswith(("!", "?")) or (inner[:1].isupper() and inner.endswith("."))
        # "the candidate called it “absurd”": a person already introduced is one speaker, as a name is.
        # "A reporter for the station called it “total gridlock”": one person, unlike "critics", is one speaker too.
        introduced = subject.lemma_.lower() in PERSON_NOUNS and (subject.tag_ == "NN" or any(c.dep_ in ("det", "poss") and c.lower_ in ("the", "his", "her", "their") for c in subject.children))
        return utterance or introduced or looks_like_name(subject) or subject.lower_ in ("he", "she", "i", "we")

    def _characterised_on_surface(self, quote: QuotedSpan) -> Candidate | None:
        """"Okafor, a Lisbon painter, called Wavelane’s terms “unfair.”": a characterising verb a few words
        before the quotation, when the parse hangs the quoted words elsewhere. Read from the surface:
        the words between verb and quotation are what is characterised, the tag's subject the speaker."""
        if not self._inside_sentence(quote):
            return None
        window = self.analysis.pre_window(quote.start)
        verbs = [i for i, t in enumerate(window) if t.pos_ == "VERB" and t.lemma_.lower() in CHARACTERISING_VERBS]
        if not verbs:
            return None
        position = verbs[-1]
        verb, between = window[position], window[position + 1 :]
        # "was dubbed “…”", "a group called the “…”": a name given, with no one giving it; the words
        # between verb and quotation must name what is characterised.
        if any(c.dep_ == "auxpass" for c in verb.children) or verb.nbor(-1).pos_ == "AUX" or verb.nbor(-1).lower_ in ("so", "-"):
            return None
        if not any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in between) or len(between) > 8:
            return None
        if any(t.pos_ in ("VERB", "AUX") or t.text in (";", ":") or self.analysis.is_mark_token(t) for t in between):
            return None
        found = self._tag_subject(window[: position + 1], verb)
        if found is None or self.analysis.inside_quote(found[0].idx) or not self._owns_phrase(quote, found[0]):
            return None
        subject, subject_span = found
        return Candidate("mixed", [(between[0].idx, quote.end)], subject, subject_span, _span_of([verb]), quote)

    def _statement_noun(self, quote: QuotedSpan, noun: Token, clause: Token) -> Candidate | None:
        """"her remark that “there’s a special place in hell …”", "Trump's accusation that Clinton is playing the
        “woman's card”": a statement named by a noun, its owner the speaker, its that-clause the content."""
        owners = [c for c in noun.children if c.dep_ == "poss" and c.i < noun.i]
        if not owners or not (is_plausible_speaker(owners[0]) or owners[0].lower_ in ("his", "her", "its", "their")) or self.analysis.inside_quote(owners[0].idx):
            return None
        tokens = [t for t in clause.subtree if not t.is_space]
        if not tokens or tokens[0].lower_ != "that":
            return None
        owner = owners[0]
        start = tokens[0].idx
        end = max(_span_of(tokens)[1], quote.end)
        end = self._trim_end(start, self._aside_start(start, end), quote.end)
        return Candidate("mixed", [(start, end)], owner, _phrase(owner, (owner.idx, noun.idx)), _span_of([noun]), quote)

    def _aside_start(self, start: int, end: int) -> int:
        """Where the writer's own words take over after the last quotation of a mixed quote: a dash
        ("“suburbs of St. Petersburg” — a metaphor for …"), a participle or relative after a comma
        (", meaning …", ", which …") or a second predicate ("… and warned North Korea")."""
        last_quote_end = max((q.end for q in self.analysis.quotes if start <= q.start and q.end <= end), default=end)
        tokens = self.analysis.tokens_in(last_quote_end, end)
        # “… “fantastic,” telling reporters …”: the comma that opens the aside is inside the closing mark.
        if tokens and self.analysis.text[last_quote_end - 2 : last_quote_end - 1] == "," and _opens_aside(tokens[0]):
            return last_quote_end
        for token, following in zip(tokens, [*tokens[1:], None]):
            # A spaced dash opens an aside; a hyphen inside a word ("over-crowded") does not.
            if token.text in _DASHES and (token.text != "-" or token.whitespace_):
                return token.idx
            if following is None:
                break
            if token.text == "," and _opens_aside(following):
                return token.idx
            # "… “a house of cards,” though council members praised …", "… “too early,” before quickly
            # adding …": a contrasting or following clause, the writer's, not the report's;
            # "“treated like a criminal” while touring …" goes on with the report.
            if (token.lower_ in _CONTRAST_OPENERS and following.tag_ != "VBG") or (token.lower_ in ("before", "after") and _opens_aside(following)):
                return token.idx
            # "…, a claim the treasurer disputed", "…, an admission that …": the writer's apposition to the report.
            if token.text == "," and following.lower_ in ("a", "an", "another"):
                return token.idx
            # "… and warned North Korea", "… but conceded that …": a second predicate of the reporting verb
            # (parsed outside the reported clause, or itself a reporting verb); "… and missed the late swing"
            # goes on with the reported clause.
            if token.pos_ == "CCONJ" and following.pos_ == "VERB" and following.dep_ == "conj" and (not start <= following.head.idx < end or _is_cue_verb(following)):
                return token.idx
        return end

    def _trim_end(self, start: int, end: int, keep_until: int = 0) -> int:
        while end > max(start, keep_until) and self.analysis.text[end - 1] in _EDGE_STRIP:
            end -= 1
        return end

    def _tag_subject(self, window: list[Token], verb: Token) -> tuple[Token, tuple[int, int]] | None:
        """The speaker in a speech tag and its phrase: the verb's subject, else the phrase beside the verb.

        The fallback reads the surface because the small model often mis-parses
        tags with unfamiliar names ("Canvasly said" with Canvasly as an adverb).
        """
        ids = {t.i for t in window}
        limit = (window[0].idx, window[-1].idx + len(window[-1]))
        subject = _nearest_subject(verb, ids)
        if subject is None and verb.tag_ == "VBG":
            # "…, telling reporters, “…”", "began by saying, “…”": the participle's subject is its clause's.
            subject = _subject_of(verb)
            if subject is not None and (subject.sent != verb.sent or self.analysis.inside_quote(subject.idx)):
                subject = None
        if subject is not None and is_plausible_speaker(subject):
            side = (limit[0], verb.idx) if subject.idx < verb.idx else (verb.idx + len(verb), limit[1])
            return subject, _phrase(subject, side)
        position = window.index(verb)
        if position == 0 or all(t.is_punct for t in window[:position]):
            phrase = []
            for token in window[position + 1 :]:
                if token.is_punct or token.pos_ in ("ADP", "VERB", "AUX", "SCONJ") or token.lower_ == "that":
                    break
                phrase.append(token)
        else:
            phrase = [t for t in window[:position] if not t.is_space]
            while phrase and phrase[0].is_punct:
                phrase.pop(0)
            # "In a statement, Canvasly said" / "Dana Whitfield, the general counsel, said":
            # the speaker is the first comma-separated part that is not an introductory phrase.
            parts: list[list[Token]] = [[]]
            for token in phrase:
                if token.text == ",":
                    parts.append([])
                else:
                    parts[-1].append(token)
            parts = [p for p in parts if p and not (p[0].pos_ in ("ADP", "SCONJ", "VERB", "ADV") and not looks_like_name(p[0]))]
            phrase = parts[0] if parts else []
            while phrase and phrase[-1].pos_ in ("ADV", "AUX", "PART") and not looks_like_name(phrase[-1]):
                phrase.pop()
        heads = [t for t in phrase if looks_like_name(t) or t.pos_ in ("NOUN", "PRON") or is_age_phrase(t)]
        if not heads or not is_plausible_speaker(heads[-1]):
            return None
        return heads[-1], _span_of(phrase)

    def _parenthetical_tag(self, quote: QuotedSpan) -> Candidate | None:
        """"Trump, Sexton said, has created a “…”", "The vote signals “the beginning of the end,” said X.":
        a tag set off by commas inside or at the end of the sentence it reports; the rest of the sentence
        is the speaker's, the quoted words in it make it a mixed quote."""
        opening = self.analysis.token_at(quote.start)
        if opening is None or self._names_a_work(quote):
            return None
        sentence = [t for t in opening.sent if not t.is_space]
        segments: list[list[Token]] = [[]]  # comma-separated parts of the sentence, outside quotations
        for token in sentence:
            if token.text == "," and not self.analysis.inside_quote(token.idx):
                segments.append([])
            else:
                segments[-1].append(token)
        for index, segment in enumerate(segments[1:], start=1):
            last = index == len(segments) - 1
            tag = segment[:-1] if last and segment and segment[-1].text in _SENTENCE_END else segment
            found = self._tag_segment(tag)
            if found is None:
                continue
            subject, verb = found
            before = [t for part in segments[:index] for t in part]
            after = [t for part in segments[index + 1 :] for t in part]
            if after and after[0].idx == quote.start and before[0].pos_ in ("VERB", "ADP", "SCONJ", "ADV"):
                return None  # "Asked what he wants, Adelson said, “…”": a scene-setting lead, the quotation is the content
            lead_in = [t for t in after if t.idx < quote.start]
            # "…, Marsh said, adding, “…”": the quotation has a tag of its own, a participle in the same sentence.
            if lead_in and lead_in[0].tag_ == "VBG" and lead_in[0].lemma_.lower() in SPEECH_VERBS:
                return None
            if lead_in and lead_in[-1].text in (":", ",") and any(t.lemma_.lower() in SPEECH_VERBS and t.pos_ == "VERB" for t in lead_in):
                return None  # the quotation has a tag of its own ("…, Costa reported, his wife whispered to him: “…”")
            # "“…” about the ruling, said Maya Okafor, director of …", "…, said Marsh, angered that …": after a
            # tag that follows the quotation, only a sentence going on ("…, she said, would turn …") is reported.
            if after and after[0].idx > quote.end and not _goes_on_with_the_sentence(after[0]):
                after = []
            contents = [self._through_closing_mark(span) for span in (self._content_span(before), self._content_span(after)) if span is not None]
            if not contents or not any(s <= quote.start and quote.end <= e for s, e in contents):
                continue
            if all(self._words_outside_quotes(s, e) == 0 for s, e in contents):
                return None  # only quoted words: the plain tag rules take it
            limit = (tag[0].idx, tag[-1].idx + len(tag[-1]))
            return Candidate("mixed", contents, subject, _phrase(subject, limit), _span_of([verb]), quote)
        return None

    def _names_a_work(self, quote: QuotedSpan) -> bool:
        """"on CBS's “Face the Nation,”", "the show “The Apprentice”": a title, not someone's words."""
        inner = quote.inner_text(self.analysis.text).strip(" ,.")
        before = self.analysis.tokens_in(self.analysis.paragraph_of(quote.start).start, quote.start)
        after_word = before[-1].lower_ if before else ""
        if inner.endswith(("!", "?")):
            return False  # "chants of “Marco! Marco!”": called out, not a title
        return _is_title_like(inner) or after_word == "on" or (after_word in ("’s", "'s") and inner.istitle() and " " not in inner)

    def _tag_segment(self, tokens: list[Token]) -> tuple[Token, Token] | None:
        """(subject, verb) when the tokens are a speech tag alone: "Sexton said", "said Geert Wilders, founder
        of …" (a name only), "Trump told CNN"; no second verb, no quoted words."""
        if not tokens or len(tokens) > 12 or any(self.analysis.inside_quote(t.idx) for t in tokens):
            return None
        verbs = [t for t in tokens if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass")]
        if len(verbs) != 1 or verbs[0].lemma_.lower() not in SPEECH_VERBS or verbs[0].tag_ == "VBG":
            return None
        verb = verbs[0]
        ids = {t.i for t in tokens}
        subject = _nearest_subject(verb, ids)
        if subject is None or not is_plausible_speaker(subject) or subject.lower_ in ("who", "which", "that"):
            return None  # "…, from Mike Lee, who declared, “…”": a relative clause, not a tag of the sentence
        # A clause of its own after the verb ("Trump told CNN he …") makes it no tag; the reported clause
        # before it ("“We planted and watered” every tree …, she said") is what the tag reports.
        if any(c.dep_ in ("ccomp", "xcomp") and c.i > verb.i for c in verb.children):
            return None
        return subject, verb

    def _content_span(self, tokens: list[Token]) -> tuple[int, int] | None:
        while tokens and (tokens[-1].is_punct and not self.analysis.is_mark_token(tokens[-1])):
            tokens = tokens[:-1]
        while tokens and tokens[0].is_punct and not self.analysis.is_mark_token(tokens[0]):
            tokens = tokens[1:]
        return _span_of(tokens) if tokens else None

    def _words_outside_quotes(self, start: int, end: int) -> int:
        return sum(1 for t in self.analysis.tokens_in(start, end) if not t.is_punct and not self.analysis.inside_quote(t.idx))

    def _byline(self, quote: QuotedSpan) -> Candidate | None:
        """“…” ― Pamela Padilla: a name after a dash, alone up to the sentence end, signs the quotation."""
        names = self.analysis.post_window(quote.end)
        if names and names[0].text in _DASHES:
            names = names[1:]
        elif not names or self.analysis.text[quote.end : names[0].idx].strip() not in _DASHES:
            return None  # the dash may be glued to the closing mark ("”―") and so not a token of its own
        while names and names[-1].is_punct:
            names.pop()
        if not names or len(names) > 4 or not all(looks_like_name(t) or t.text in (".", "-") for t in names):
            return None
        return self._direct(quote, names[-1], _span_of(names), None)

    def _post_tag(self, quote: QuotedSpan) -> Candidate | None:
        text = self.analysis.text
        inner = text[quote.fragments[-1][0] : quote.end].rstrip(ALL_MARKS + " ")
        after = text[quote.end : quote.end + 1]
        window = self.analysis.post_window(quote.end)
        if not window or self._names_a_work(quote):
            return None
        # “We will see them in court” said Nina Brandt: a tag that opens with its verb needs no comma.
        verb_first = window[0].lemma_.lower() in SPEECH_VERBS and window[0].tag_ in ("VBD", "VBZ")
        if not (inner.endswith(_TAG_PUNCT) or after == "," or verb_first):
            return None
        window_limit = (quote.end, window[-1].idx + len(window[-1]))
        according = _according_to(window[:2])
        if according is not None:
            word, obj = according
            candidate = self._direct(quote, obj, _phrase(obj, window_limit), (word.idx, word.idx + len("according to")))
            candidate.tag_end = window_limit[1]
            return candidate
        for token in window[:MAX_TAG_TOKENS]:
            if token.lemma_.lower() in SPEECH_VERBS and token.pos_ in ("VERB", "AUX"):
                verb = token
                break
        else:
            # “…,” Okafor bristled. / “…,” the senator grinned.: one person and a verb right after a
            # quotation are its tag, whatever the verb.
            verb = next((t for t in window[:BARE_TAG_TOKENS] if t.pos_ == "VERB" and t.tag_ in ("VBD", "VBZ")), None)
            if verb is None:
                return None
        found = self._tag_subject(window, verb)
        if found is None or (verb.lemma_.lower() not in SPEECH_VERBS and not _one_person(found[0])):
            return None
        # The tag must start right after the quotation ("“…,” though few agree" is no tag).
        first = next((t for t in window if not t.is_punct), verb)
        # A capitalised "verb" there is a name the tagger did not know ("Trump senior adviser Paul Manafort").
        if first != verb and first.pos_ in ("SCONJ", "CCONJ", "ADP", "ADV", "AUX", "PART", "VERB") and not (first.pos_ == "VERB" and first.text[:1].isupper()):
            return None
        subject, subject_span = found
        candidate = self._direct(quote, subject, subject_span, _span_of([verb]))
        candidate.tag_end = window[-1].idx + len(window[-1])
        self._take_sentence_lead(candidate, quote)
        self._take_sentence_rest(candidate, window, verb)
        return candidate

    def _take_sentence_rest(self, candidate: Candidate, window: list[Token], verb: Token) -> None:
        """“Only you, Nora,” she said, would turn a fine into a fundraiser: the quoted sentence goes on, unquoted,
        after its tag; the rest is the speaker's too."""
        tag_end = max(verb.i, candidate.subject.i if candidate.subject is not None else verb.i)
        rest = [t for t in window if t.i > tag_end]
        if len(rest) < 3 or rest[0].text != ",":
            return
        first = rest[1]
        if not _goes_on_with_the_sentence(first):
            return
        candidate.contents.append(self._content_span(rest[1:]))
        candidate.kind = "mixed"

    def _take_sentence_lead(self, candidate: Candidate, quote: QuotedSpan) -> None:
        """"The party, attended by hundreds, “allows us to get our message out,” she said.": the words that
        open the quoted sentence are the speaker's too (reported by the same tag), so the quote is mixed."""
        if self._names_a_work(quote):
            return
        lead = self.analysis.pre_window(quote.start)
        # A verb of its own ("Walking into the office to chants of “…”", "When Trump used the words, “…”")
        # makes the lead the writer's narration, not the start of the quoted sentence.
        if not lead or lead[-1].text == ":" or any(t.pos_ == "VERB" and t.tag_ != "VBN" for t in lead):
            return
        if not any(t.pos_ in ("NOUN", "PROPN", "PRON", "NUM") for t in lead):
            return  # "Later, “…,” she said.": a sentence adverb only
        candidate.contents[0] = (lead[0].idx, candidate.contents[0][1])
        candidate.kind = "mixed"

    def _pre_tag(self, quote: QuotedSpan) -> Candidate | None:
        window = self.analysis.pre_window(quote.start)
        if not window:
            return None
        if window[-1].text in (":", ","):
            return self._tag_in_window(quote, window[:-1], colon=window[-1].text == ":", headline=self.analysis.paragraph_of(quote.start).index == 0)
        return self._verb_right_before(quote, window[-1])

    def _verb_right_before(self, quote: QuotedSpan, verb: Token) -> Candidate | None:
        """"a man in the back yelled “Stay out!”": a speech verb right before a quoted utterance tags it,
        however the parse hangs the quoted words."""
        inner = quote.inner_text(self.analysis.text).strip()
        utterance = inner.endswith(("!", "?")) or self._is_whole_sentence(quote)
        if verb.lemma_.lower() not in SPEECH_VERBS or verb.tag_ not in ("VBD", "VBZ", "VBG") or not utterance:
            return None
        subject = _nearest_subject(verb) or (_subject_of(verb) if verb.tag_ == "VBG" else None)
        if subject is None and verb.i > 0 and verb.nbor(-1).pos_ in ("NOUN", "PROPN", "PRON"):
            subject = verb.nbor(-1)  # "a man yelled" parsed as a man who yelled: the noun before the verb
        if subject is None or not is_plausible_speaker(subject) or self.analysis.inside_quote(subject.idx) or subject.sent != verb.sent:
            return None
        return self._direct(quote, subject, self._subject_phrase(subject, verb), _span_of([verb]))

    def _tag_in_window(self, quote: QuotedSpan, window: list[Token], colon: bool, headline: bool) -> Candidate | None:
        if not window:
            return None
        limit = (window[0].idx, window[-1].idx + len(window[-1]))
        according = _according_to(window)
        if according is not None:
            word, obj = according
            return self._direct(quote, obj, _phrase(obj, limit), (word.idx, word.idx + len("according to")))
        verbs = [t for t in window if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() != "be"]
        speech = [v for v in verbs if v.lemma_.lower() in SPEECH_VERBS]
        # After a comma only a reporting verb makes a tag; after a colon any verb with a speaker
        # as subject does ("put it bluntly:", "summed up the mood:").
        # "Brandt shot back, “Nobody in this room believes that.”": after a comma, a whole quoted
        # sentence is introduced by any verb of one named person's.
        whole_sentence = not colon and self._is_whole_sentence(quote)
        others = [v for v in reversed(verbs) if v not in speech] if whole_sentence else []
        for verb in list(reversed(speech)) + (verbs if colon else others):
            # "Said Comey, “…”": an inverted tag's speaker follows its verb.
            found = self._tag_subject(window if window.index(verb) == 0 else window[: window.index(verb) + 1], verb)
            if found is not None and verb in others and not _one_person(found[0]):
                continue
            if found is not None:
                candidate = self._direct(quote, found[0], found[1], _span_of([verb]))
                after_verb = window[window.index(verb) + 1 :]
                if not colon or _one_that_clause(after_verb):
                    self._take_reported_lead(candidate, after_verb)
                return candidate
        if colon and headline and not verbs and len(window) <= 6:
            names = [t for t in window if t.text[:1].isupper() or t.pos_ == "NOUN"]
            if names:
                return self._direct(quote, names[-1], _span_of(window), None)
        return None

    def _take_reported_lead(self, candidate: Candidate, after_verb: list[Token]) -> None:
        """"Abbott told the President that if he wants our guns, “come and take it.”": the reported
        clause leading to the quotation is the speaker's too, so the quote is mixed and starts there."""
        that = next((t for t in after_verb if t.lower_ == "that" and t.dep_ == "mark"), None)
        if that is not None:
            lead = after_verb[after_verb.index(that) :]
        else:
            # "He argued the pipeline, which …, “wouldn't go 10 feet”": a clause with its own subject.
            lead = after_verb if any(t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ccomp" for t in after_verb) else []
        if len([t for t in lead if not t.is_punct]) < 3:
            return
        candidate.contents[0] = (lead[0].idx, candidate.contents[0][1])
        candidate.kind = "mixed"

    def _is_whole_sentence(self, quote: QuotedSpan) -> bool:
        """A quoted sentence of its own: capitalised, a few words long, not a title."""
        inner = quote.inner_text(self.analysis.text).strip()
        return inner[:1].isupper() and len(inner.split()) >= MIN_UNTAGGED_WORDS and not _is_title_like(inner)

    def _prev_paragraph_colon(self, quote: QuotedSpan) -> Candidate | None:
        para = self.analysis.paragraph_of(quote.start)
        if para.index == 0 or self.analysis.text[para.start : quote.start].strip():
            return None
        previous = self.analysis.paragraphs[para.index - 1]
        if not self.analysis.text[previous.start : previous.end].rstrip().endswith(":"):
            return None
        window = self.analysis.pre_window(previous.end)
        if not window or window[-1].text != ":":
            return None
        return self._tag_in_window(quote, window[:-1], colon=True, headline=False)

    def _untagged(self, quote: QuotedSpan) -> Candidate | None:
        """A quotation that starts a sentence but has no tag: floating or unattributed."""
        text = self.analysis.text
        before = text[self.analysis.paragraph_of(quote.start).start : quote.start].rstrip()
        if before and before[-1] not in ".!?:”\"’":
            return None
        inner = quote.inner_text(text)
        if len(inner.split()) < MIN_UNTAGGED_WORDS or _is_title_like(inner):
            return None
        return Candidate("floating", list(quote.fragments), quote=quote, inherits=True)

    def _absorb_continuations(self, candidate: Candidate, following: list[QuotedSpan]) -> None:
        """“A,” said X. “B.” — B, with no tag of its own, is the same quote's next fragment.

        Only words that finish the tag may stand between ("told the audience."),
        not another clause ("…, while Y said “B”").
        """
        end = max(s[1] for s in (candidate.subject_span, candidate.cue, candidate.contents[-1]) if s)
        para = self.analysis.paragraph_of(candidate.start).index
        for nxt in following:
            if self.analysis.paragraph_of(nxt.start).index != para:
                return
            between = self.analysis.tokens_in(end, nxt.start)
            if any(t.pos_ in ("VERB", "AUX", "SCONJ", "CCONJ") or t.lemma_.lower() in SPEECH_VERBS for t in between) and not self._finishes_tag(candidate, between):
                return
            if self._post_tag(nxt) is not None:
                return
            candidate.contents.extend(nxt.fragments)  # a fragment may run on over the next paragraphs
            self.consumed.add(id(nxt))
            end = nxt.end

    def _finishes_tag(self, candidate: Candidate, between: list[Token]) -> bool:
        """“A,” Clark said, noting that the union had voted twice. “B.” — words that only run the tag's
        sentence on to its end (an aside, "adding that …") leave B the same speaker's next fragment."""
        if candidate.cue is None or candidate.cue[0] < candidate.contents[-1][1] or between[-1].text not in _SENTENCE_END:
            return False
        sentence = self.analysis.token_at(candidate.cue[0]).sent
        return all(t.sent == sentence for t in between)

    # -- indirect speech ---------------------------------------------------------

    def _clause_tokens(self, clause: Token) -> list[Token]:
        """The reported clause, less coordinated reporting verbs ("… but did not say when")."""
        excluded: set[int] = set()
        for child in clause.children:
            if child.dep_ == "conj" and (child.lemma_.lower() in SPEECH_VERBS or any(c.lemma_.lower() in SPEECH_VERBS for c in child.children if c.dep_ in ("xcomp", "ccomp"))):
                excluded.update(t.i for t in child.subtree)
                excluded.update(c.i for c in clause.children if c.dep_ == "cc" and c.i < child.i)
        return [t for t in clause.subtree if t.i not in excluded]

    def _reported_clauses(self, verb: Token) -> list[Token]:
        clauses = [c for c in verb.children if c.dep_ == "ccomp"]
        if clauses:
            return clauses
        # "told reporters after the hearing that …": the parser may hang the clause on a noun.
        for token in verb.doc[verb.i + 1 : verb.i + 10]:
            if token.lower_ == "that" and token.dep_ == "mark" and token.head.i > token.i and verb in token.head.ancestors:
                return [token.head]
            if token.is_sent_start or token.text in _SENTENCE_END:
                break
        return []

    def _clause_span(self, tokens: list[Token]) -> tuple[int, int] | None:
        while tokens and ((tokens[0].dep_ == "mark" and tokens[0].lower_ != "that") or tokens[0].is_punct or tokens[0].is_space):
            tokens = tokens[1:]
        while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
            tokens = tokens[:-1]
        if len(tokens) < 3:
            return None
        return _span_of(tokens)

    def _overlaps_candidate(self, span: tuple[int, int]) -> bool:
        return any(s < span[1] and span[0] < e for c in self.candidates for s, e in c.contents)

    def _overlaps_real_quote(self, span: tuple[int, int]) -> bool:
        return any(q.start < span[1] and span[0] < q.end and self._words(q) >= 3 for q in self.analysis.quotes)

    def _through_closing_mark(self, span: tuple[int, int]) -> tuple[int, int]:
        """A clause ending in quoted words ends after their closing mark (“… “very worried.”"), which the
        parse leaves out with the full stop before it."""
        text = self.analysis.text
        for q in self.analysis.quotes:
            if span[0] <= q.start < span[1] < q.end and not text[span[1] : q.end].strip(ALL_MARKS + ".,;:!? "):
                return span[0], q.end
        return span

    def _holds_quoted_words(self, span: tuple[int, int]) -> bool:
        return any(span[0] <= q.start and q.end <= span[1] + 1 for q in self.analysis.quotes)

    def _indirect(self) -> None:
        found: list[Candidate] = []
        for verb in self.analysis.doc:
            if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in INDIRECT_VERBS or self.analysis.inside_quote(verb.idx):
                continue
            if any(c.dep_ == "neg" for c in verb.children):
                continue
            for clause in self._reported_clauses(verb):
                if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in clause.children):
                    continue
                finite = any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux", "auxpass") for c in clause.children) or "Fin" in clause.morph.get("VerbForm")
                if not finite:
                    continue
                span = self._clause_span(self._clause_tokens(clause))
                if span is None or self._overlaps_candidate(span) or self._overlaps_real_quote(span):
                    continue
                cue = governing_request(verb) or verb
                subject = _subject_of(cue)
                if subject is None or not is_plausible_speaker(subject) or self.analysis.inside_quote(subject.idx):
                    continue
                para = self.analysis.paragraph_of(verb.idx)
                limit = (para.start, verb.idx) if subject.idx < verb.idx else (verb.idx + len(verb), para.end)
                if span[0] <= subject.idx < span[1]:
                    continue
                span = self._through_closing_mark(span)
                # Reported speech that keeps a few of the speaker's words in quotation marks is a mixed quote.
                kind = "mixed" if self._holds_quoted_words(span) else "indirect"
                if kind == "mixed":
                    span = (span[0], self._trim_end(span[0], self._aside_start(*span)))
                found.append(Candidate(kind, [span], subject, _phrase(subject, limit), _span_of([cue])))
        found.extend(self._according_to_indirect())
        self.candidates.extend(found)

    def _according_to_indirect(self) -> list[Candidate]:
        found = []
        for sent in self.analysis.doc.sents:
            tokens = [t for t in sent if not t.is_space]
            according = _according_to(tokens)
            if according is None:
                continue
            word, obj = according
            excluded = {t.i for t in word.subtree} | {word.i + 1}
            rest = [t for t in tokens if t.i not in excluded]
            # Keep the contiguous side of the sentence that holds the reported clause.
            before = [t for t in rest if t.i < word.i]
            after = [t for t in rest if t.i > word.i]
            side = after if len([t for t in after if not t.is_punct]) > len([t for t in before if not t.is_punct]) else before
            span = self._clause_span(side)
            if span is None or self._overlaps_candidate(span):
                continue
            span = self._through_closing_mark(span)
            quoted = [q for q in self.analysis.quotes if q.start < span[1] and span[0] < q.end]
            if any(q.start < span[0] or q.end > span[1] for q in quoted):
                continue
            sub_limit = (word.idx, _span_of(list(word.subtree))[1])
            # "According to Trump, he is now “the worst thing that ever happened to the establishment.”": mixed.
            kind = "mixed" if quoted else "indirect"
            found.append(Candidate(kind, [span], obj, _phrase(obj, sub_limit), (word.idx, word.idx + len("according to"))))
        return found

    # -- quotes without a tag ----------------------------------------------------

    def _attach_floating(self) -> None:
        """An untagged quotation right after a speaker's quote goes on with that quote (one statement,
        several fragments: “…,” she said. “…”); otherwise it is the narrative subject's."""
        previous: Candidate | None = None
        kept: list[Candidate] = []
        for candidate in self.candidates:
            if candidate.inherits:
                gap = self.analysis.text[previous.extent_end : candidate.start] if previous else None
                if previous is not None and previous.subject is not None and gap is not None and not gap.strip(" \n.,;”\"’"):
                    if _goes_on(previous, self.analysis) and "\n" not in gap:
                        previous.contents.extend(candidate.contents)
                        if previous.kind == "indirect":
                            previous.kind = "mixed"  # "Also, the plan is dead, he said. “…”": now partly quoted
                        continue
                    candidate.subject, candidate.subject_span = previous.subject, previous.subject_span
                else:
                    self._narrative_subject(candidate)
                if candidate.subject is None:
                    candidate.kind = "direct"  # kept, unattributed
            kept.append(candidate)
            previous = candidate
        self.candidates = kept

    def _narrative_subject(self, candidate: Candidate) -> None:
        """Leila Nasser has stopped posting. “…” — the person the paragraph is about."""
        para = self.analysis.paragraph_of(candidate.start)
        window = self.analysis.pre_window(candidate.start)
        if window:
            return  # something else precedes the quote in its sentence
        before = [t for t in self.analysis.tokens_in(para.start, candidate.start)]
        if not before or before[-1].text not in _SENTENCE_END:
            return
        sentence = before[-1].sent
        subjects = [t for t in sentence if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT" and para.start <= t.idx]
        if subjects and (subjects[0].pos_ == "PROPN" or subjects[0].lower_ in ("he", "she")):
            candidate.subject = subjects[0]
            candidate.subject_span = _phrase(subjects[0], (para.start, subjects[0].head.idx))
