"""Quote extraction: direct, mixed and indirect quotes with their speakers.

Pipeline for one text:
1. ``marks`` finds balanced quotations by their marks (no model needed).
2. spaCy (``nlp``: en_core_web_sm, loaded once per process) parses the text once.
3. Each quotation gets its speech tag (``rules``), tried from the most to the least
   explicit pattern: a phrase embedded in reported speech ("said the deal
   “…”"), a tag after it (“…,” said X), a tag before it (X said: “…”), a tag
   ending the previous paragraph with a colon. A quotation right after the
   tag's sentence with no tag of its own is the same quote's next fragment.
4. Reporting verbs with a clausal complement give indirect quotes.
5. Still untagged quotations continue the previous speaker (floating quotes)
   when nothing intervenes, or are kept unattributed, never guessed.
6. Speaker mentions are normalised in text order (``speakers``): pronouns to
   the last compatible named speaker, surnames to full names, "a spokesperson
   for X" to the organisation X.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Token

from newswatch.core.language import detect_language
from newswatch.core.model import Article, Quote, Span
from newswatch.core.settings import QuoteSettings
from newswatch.quotes.aliases import AliasRegistry
from newswatch.quotes.marks import ALL_MARKS
from newswatch.quotes.nlp import get_nlp
from newswatch.quotes.rules import Candidate, QuoteRules, TextAnalysis
from newswatch.quotes.speakers import (
    ORG_NAME_WORDS,
    Discourse,
    Speaker,
    clean_name,
    describe_mention,
    looks_like_name,
)
from newswatch.quotes.speech_acts import classify

MAX_TEXT_CHARS = QuoteSettings.max_text_chars


class QuoteExtractionError(ValueError):
    """An input the extractor refuses, with a reason fit to show per item."""


class TextTooLong(QuoteExtractionError):
    pass


class UnsupportedLanguage(QuoteExtractionError):
    pass


def _is_subject(head: Token) -> bool:
    """A subject, or the name in apposition to one ("Its chief executive, Gregory Adeyemi, said")."""
    return head.dep_ in ("nsubj", "nsubjpass") or (head.dep_ == "appos" and head.head.dep_ in ("nsubj", "nsubjpass"))


def _build_discourse(analysis: TextAnalysis) -> Discourse:
    """Named people and organisations in text order, for aliases and pronouns."""
    discourse = Discourse()
    for token in analysis.doc:
        # Multi-word names the NER missed ("LONDON — Imogen Vance, 54, …"), first: a lone surname
        # later takes the full name ("the singer Aria Solenne … Solenne did not").
        if token.pos_ != "PROPN" or token.ent_type_ or token.i == 0:
            continue
        nxt = token.nbor(1) if token.i + 1 < len(analysis.doc) else None
        if (nxt is None or not looks_like_name(nxt)) and analysis.doc[token.i - 1].pos_ == "PROPN" and not analysis.inside_quote(token.idx):
            speaker = describe_mention(token, [analysis.doc[token.i - 1], token], discourse, analysis.doc[token.i - 1].idx)
            if speaker.speaker_type == "person":
                discourse.add(speaker, analysis.doc[token.i - 1].idx, token.dep_ in ("nsubj", "nsubjpass"))
    for ent in analysis.doc.ents:
        if ent.label_ not in ("PERSON", "ORG", "GPE", "NORP", "PRODUCT", "FAC") or analysis.inside_quote(ent.start_char):
            continue
        head = ent.root
        if head.pos_ != "PROPN":
            continue
        speaker = describe_mention(head, list(ent), discourse, ent.start_char)
        if ent.label_ in ("GPE", "NORP", "FAC") and speaker.speaker_type == "organization":
            continue  # places are named often and rarely speak
        discourse.add(speaker, ent.start_char, _is_subject(head))
    for token in analysis.doc:
        if token.dep_ not in ("nsubj", "nsubjpass") or token.ent_type_ or analysis.inside_quote(token.idx):
            continue
        # Unlabelled names as subjects, and surnames the tagger took for nouns ("Price shook his head").
        if looks_like_name(token) or (token.text[:1].isupper() and discourse.full_person_name(token.text, token.idx)):
            speaker = describe_mention(token, list(token.subtree), discourse, token.idx)
            if speaker.name is None and token.text[:1].isupper():
                speaker = Speaker(discourse.full_person_name(token.text, token.idx), "person")
            discourse.add(speaker, token.idx, True)
    discourse.entities.sort(key=lambda e: e.position)
    return discourse


def _quote_text(text: str, candidate: Candidate) -> str:
    """The quoted words without the marks that delimit quotations."""
    mark_positions = set()
    if candidate.quote is not None:
        for s, e in candidate.quote.fragments:
            mark_positions.add(s)
            if text[e - 1] in ALL_MARKS:
                mark_positions.add(e - 1)
    pieces = []
    for s, e in candidate.contents:
        piece = "".join(c for i, c in enumerate(text[s:e], start=s) if i not in mark_positions or c not in ALL_MARKS)
        pieces.append(piece.strip(" \n" + ALL_MARKS))
    # "A sentence," said X. "Another." -- the comma only made room for the tag; joined, it is a full stop.
    joined = [
        piece[:-1] + "." if piece.endswith(",") and following[:1].isupper() else piece
        for piece, following in zip(pieces, [*pieces[1:], ""])
    ]
    return re.sub(r"\s+", " ", " ".join(joined)).strip()


def _resolve_speakers(analysis: TextAnalysis, candidates: list[Candidate], discourse: Discourse) -> None:
    previous: Candidate | None = None
    for candidate in candidates:
        if candidate.inherits and candidate.subject is not None and previous is not None and previous.subject is candidate.subject:
            candidate.speaker = previous.speaker
        elif candidate.subject is not None:
            head = candidate.subject
            np_tokens = analysis.tokens_in(*candidate.subject_span) if candidate.subject_span else [head]
            candidate.speaker = describe_mention(head, np_tokens, discourse, head.idx)
        previous = candidate


# "Said Comey, “…”": a capitalised reporting verb before a name is no part of it.
_INVERTED_TAG_VERBS = frozenset(("said", "says", "told", "tells", "added", "adds", "asked", "asks", "wrote", "writes"))


def _full_organisation(name: str, known: list[str], text: str) -> str:
    """"Alliance" or "Kestrel" -> the longest organisation named in the article that ends or starts with it
    (a known one, or a run of capitalised words before it in the text, "Fair Play for Creators Alliance",
    or after it ending in a word that names organisations, "Kestrel Sound")."""
    escaped = re.escape(name)
    around = re.findall(rf"(?:[A-Z][\w'’&-]*(?: (?:for|of|and|&))? )+{escaped}\b|\b{escaped}(?: [A-Z][\w'’&-]*)+", text)
    longer = [
        clean_name(other) for other in [*known, *around]
        if (other.endswith(" " + name) or (other.startswith(name + " ") and other.split()[-1].lower() in ORG_NAME_WORDS))
        and other.split()[0].lower() not in _INVERTED_TAG_VERBS
    ]
    return max(longer, key=len) if longer else name


def _consistent_organisations(candidates: list[Candidate], named: list[str], text: str) -> None:
    """One organisation per person per article: the one the article gives them at any of their quotes,
    under its full name ("the Alliance" -> the Fair Play for Creators Alliance it named before), so a
    filter on the organisation finds all of them."""
    known = [c.speaker.organization for c in candidates if c.speaker.organization]
    known += named
    full_names: dict[str, str] = {}  # each name searched for once: the search reads the whole text

    def full(name: str) -> str:
        if name not in full_names:
            full_names[name] = _full_organisation(name, known, text)
        return full_names[name]

    of_person: dict[str, str] = {}
    for candidate in candidates:
        speaker = candidate.speaker
        if speaker.speaker_type == "organization" and speaker.name:
            speaker.name = full(speaker.name)
        if speaker.organization:
            speaker.organization = full(speaker.organization)
            if speaker.name and speaker.speaker_type == "person":
                of_person.setdefault(speaker.name, speaker.organization)
    for candidate in candidates:
        speaker = candidate.speaker
        if not speaker.organization and speaker.name in of_person:
            speaker.organization = of_person[speaker.name]


def _canonical_speakers(candidates: list[Candidate], aliases: AliasRegistry) -> None:
    """Names as the registry first met them, across articles; a person's organisation from an earlier
    article when this one gives none."""
    for candidate in candidates:
        speaker = candidate.speaker
        if speaker.organization:
            speaker.organization = aliases.add_organisation(aliases.organisation(speaker.organization))
        if not speaker.name:
            continue
        if speaker.speaker_type == "person":
            speaker.name = aliases.add_person(aliases.person(speaker.name), speaker.organization)
            speaker.organization = speaker.organization or aliases.organisation_of(speaker.name)
        elif aliases.person(speaker.name) != speaker.name:
            # "Okafor said" in a follow-up: a lone unknown word is taken for a brand, the registry knows her.
            speaker.name, speaker.speaker_type = aliases.person(speaker.name), "person"
            speaker.organization = speaker.organization or aliases.organisation_of(speaker.name)
        elif speaker.speaker_type == "organization":
            speaker.name = aliases.organisation(speaker.name)


def extract_quotes(
    text: str,
    language: str | None = None,
    nlp: Language | None = None,
    max_chars: int = MAX_TEXT_CHARS,
    known_organisations: tuple[str, ...] = (),
    aliases: AliasRegistry | None = None,
) -> list[Quote]:
    """All quotes in ``text`` in reading order, as ``newswatch.core.model.Quote``.

    ``language``: the article's language if known; detected otherwise. ``known_organisations``:
    full names a short form in the text may stand for (the publisher, the profile's organisations:
    "the Office" -> "Creative Works Office"). ``aliases``: the run's registry, which learns from this
    text and gives each speaker and organisation one name across articles. Raises
    ``QuoteExtractionError`` (with a message fit for the item's error record)
    for text that is too long or not English.
    """
    if not isinstance(text, str):
        raise QuoteExtractionError(f"text must be a string, got {type(text).__name__}")
    if len(text) > max_chars:
        raise TextTooLong(f"text has {len(text)} characters, more than the limit of {max_chars}")
    if not text.strip():
        return []
    language = (language or detect_language(text) or "").split("-")[0].lower() or None
    if language is not None and language != "en":
        raise UnsupportedLanguage(f"quote extraction supports English only; text looks like {language!r}")
    analysis = TextAnalysis(text, (nlp or get_nlp())(text))
    candidates = QuoteRules(analysis).run()
    discourse = _build_discourse(analysis)
    _resolve_speakers(analysis, candidates, discourse)
    _consistent_organisations(candidates, [*known_organisations, *(e.name for e in discourse.entities if e.speaker_type == "organization")], text)
    if aliases is not None:
        aliases.learn(text)
        _canonical_speakers(candidates, aliases)
    quotes = []
    for position, candidate in enumerate(candidates):
        speaker = candidate.speaker
        quotes.append(
            Quote(
                position=position,
                kind="direct" if candidate.kind == "floating" else candidate.kind,
                text=_quote_text(text, candidate),
                contents=[Span(start=s, end=e, text=text[s:e]) for s, e in candidate.contents],
                source_mention=Span(start=candidate.subject_span[0], end=candidate.subject_span[1], text=text[candidate.subject_span[0] : candidate.subject_span[1]]) if candidate.subject_span else None,
                cue=Span(start=candidate.cue[0], end=candidate.cue[1], text=text[candidate.cue[0] : candidate.cue[1]]) if candidate.cue else None,
                speaker=speaker.name,
                speaker_type=speaker.speaker_type if candidate.subject is not None else "unknown",
                organization=speaker.organization,
                role=speaker.role,
                speech_act=classify(analysis.token_at(candidate.cue[0]) if candidate.cue else None, text[candidate.start : candidate.contents[-1][1]]),
            )
        )
    return quotes


def add_quotes(
    article: Article, limits: QuoteSettings | None = None, known_organisations: tuple[str, ...] = (), aliases: AliasRegistry | None = None,
) -> Article:
    """Pipeline stage: the article with ``quotes`` filled in (raises ``QuoteExtractionError`` for refused text).

    The publisher's name joins ``known_organisations``: its own press releases call it "the Office".
    ``aliases``: one registry for a whole run (``AliasRegistry.seeded(known_organisations)``)."""
    max_chars = (limits or QuoteSettings()).max_text_chars
    known = (*known_organisations, article.site_name) if article.site_name else known_organisations
    quotes = extract_quotes(article.text, language=article.language, max_chars=max_chars, known_organisations=known, aliases=aliases)
    return article.model_copy(update={"quotes": quotes})
