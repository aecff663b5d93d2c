"""What a quote does: states something (claim), asks for something (demand), asks (question) or denies.

Read from the cue verb and the quoted words: "X demanded that Y confirm “…”" is X's demand,
never X's (or Y's) claim; a quote ending in a question mark is a question whatever its verb.
"""
from __future__ import annotations

from spacy.tokens import Token

from newswatch.core.model import SpeechAct

DEMAND_VERBS = frozenset(
    ["demand", "urge", "order", "command", "request", "plead", "appeal", "implore", "beg", "press", "petition", "instruct", "require"]
)
QUESTION_VERBS = frozenset(["ask", "wonder", "question", "query", "inquire", "enquire"])
DENIAL_VERBS = frozenset(["deny", "refute", "dispute", "reject", "rebut", "contest", "disavow"])
# "called for", "called on X to": a demand; "called it “…”" stays a characterisation.
_DEMANDING_PARTICLES = frozenset(("for", "on", "upon"))


def _asks_someone_to_act(verb: Token) -> bool:
    """"asked Congress to act", "called on Congress to act", "called for a ban"."""
    if any(c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in verb.children):
        return True
    return verb.lemma_.lower() == "call" and any(c.lower_ in _DEMANDING_PARTICLES and c.dep_ in ("prep", "prt") for c in verb.children)


def governing_request(verb: Token) -> Token | None:
    """The verb of demanding or asking that a reported verb depends on ("demanded that Wavelane *confirm*")."""
    head = verb.head
    if verb.dep_ in ("ccomp", "xcomp") and head != verb and head.lemma_.lower() in DEMAND_VERBS | QUESTION_VERBS:
        return head
    return None


def classify(cue: Token | None, quoted: str) -> SpeechAct:
    """The speech act of a quote given its cue verb (None: no verb, e.g. "according to") and its words."""
    lemma = cue.lemma_.lower() if cue is not None else ""
    if lemma in DENIAL_VERBS or (cue is not None and lemma in ("say", "tell") and any(c.dep_ == "neg" for c in cue.children)):
        return "denial"
    if lemma in DEMAND_VERBS or (cue is not None and lemma in ("ask", "call") and _asks_someone_to_act(cue)):
        return "demand"
    if lemma in QUESTION_VERBS or quoted.rstrip(" ”\"’'").endswith("?"):
        return "question"
    return "claim"
