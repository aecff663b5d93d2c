"""One name per person and organisation across articles: the alias registry.

Each article gives its speakers their fullest form (``extraction``); across articles the same entity
still comes in several forms ("Fair Play for Creators Alliance", "the FAIR PLAY FOR CREATORS ALLIANCE",
"FPCA", "Illustrators Guild" for "Illustrators' Guild", "Okafor" in a follow-up that never repeats her
first name). The registry is seeded with the profile's known organisations, learns people and their
organisations from appositions ("Ines Sol, the chair of the Illustrators' Guild") and acronyms
("Fair Play for Creators Alliance (FPCA)"), and maps every form to the first full form it met, so an
analyst's filter on one value finds them all. It lives as long as one processing run.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newswatch.quotes.speakers import ORG_NAME_WORDS, clean_name

_NAME_WORD = r"[A-Z][\w'’.&-]*"
_CONNECTOR = r"(?:of|for|and|&|the|on|in)"
# "Ines Sol, the chair of the Illustrators' Guild" / "Maya Okafor of the Fair Play for Creators Alliance".
_APPOSITION = re.compile(
    rf"\b(?P<person>{_NAME_WORD}(?: {_NAME_WORD}){{1,3}})(?:, (?:the |a |an )?[a-z][\w -]{{1,40}}?)? (?:of|at|for) (?:the )?"
    rf"(?P<organisation>{_NAME_WORD}(?: (?:{_CONNECTOR} )*{_NAME_WORD})*)"
)
_ACRONYM = re.compile(rf"\b(?P<name>{_NAME_WORD}(?: (?:{_CONNECTOR} )*{_NAME_WORD})+) \((?P<acronym>[A-Z][A-Z&]{{1,7}})\)")


def alias_key(name: str) -> str:
    """What two spellings of one name share: case, apostrophes, a leading article and spacing ignored."""
    text = clean_name(name).casefold()
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _named_by_acronym(words_before: str, acronym: str) -> str | None:
    """"Maya Okafor of the Fair Play for Creators Alliance (FPCA)" -> the words whose initials spell it."""
    words = words_before.split()
    for start in range(len(words)):
        initials = "".join(w[0] for w in words[start:] if not re.fullmatch(_CONNECTOR, w))
        if initials.upper() == acronym.replace("&", "") and words[start][0].isupper():
            return " ".join(words[start:])
    return None


def _is_organisation_name(name: str) -> bool:
    return name.split()[-1].lower().strip(".,") in ORG_NAME_WORDS


@dataclass
class AliasRegistry:
    """Canonical forms of people and organisations, first full form wins."""

    organisations: dict[str, str] = field(default_factory=dict)  # alias key -> canonical organisation
    people: dict[str, str] = field(default_factory=dict)  # alias key -> canonical person
    employer: dict[str, str] = field(default_factory=dict)  # canonical person -> canonical organisation

    @classmethod
    def seeded(cls, known_organisations: Iterable[str]) -> AliasRegistry:
        registry = cls()
        for name in known_organisations:
            registry.add_organisation(name)
        return registry

    def add_organisation(self, name: str) -> str:
        """Register a full organisation name; the canonical form it maps to."""
        return self.organisations.setdefault(alias_key(name), clean_name(name))

    def add_person(self, name: str, organisation: str | None = None) -> str:
        canonical = self.people.setdefault(alias_key(name), clean_name(name))
        if organisation:
            self.employer.setdefault(canonical, self.add_organisation(organisation))
        return canonical

    def learn(self, text: str) -> None:
        """People and organisations an article introduces: appositions and acronyms in parentheses."""
        for match in _ACRONYM.finditer(text):
            name = _named_by_acronym(match["name"], match["acronym"])
            if name is not None:
                self.organisations.setdefault(alias_key(match["acronym"]), self.add_organisation(name))
        for match in _APPOSITION.finditer(text):
            organisation = match["organisation"]
            if _is_organisation_name(organisation) and not _is_organisation_name(match["person"]):
                self.add_person(match["person"], organisation)

    def organisation(self, name: str) -> str:
        return self.organisations.get(alias_key(name), name)

    def person(self, name: str) -> str:
        """The full name: the same spelling's first form, or the one known person with that surname."""
        key = alias_key(name)
        if key in self.people:
            return self.people[key]
        if " " not in key:
            matching = {full for alias, full in self.people.items() if alias.split()[-1] == key and " " in alias}
            if len(matching) == 1:
                return matching.pop()
        return name

    def organisation_of(self, person: str) -> str | None:
        return self.employer.get(person)
