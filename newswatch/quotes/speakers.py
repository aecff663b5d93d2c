"""Who a speaker mention refers to: names, organisations, roles, pronouns and aliases.

Input is a spaCy noun phrase (the subject of a cue verb, or the object of
"according to"); output is a normalised speaker. Decisions use cheap evidence
in a fixed order (honorifics, organisation words in the name, appositives and
relative pronouns, then the statistical NER label), because the small English
model's PERSON/ORG labels alone are often wrong for unfamiliar names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from newswatch.core.model import SpeakerType

# Reporting verbs that introduce a direct quote in a speech tag, by lemma.
SPEECH_VERBS = frozenset(
    """say tell add ask reply respond answer explain write post tweet argue claim insist warn note state
    announce declare confirm acknowledge admit concede stress emphasise emphasize urge suggest predict recall
    continue conclude shout chant cry joke quip laugh sigh mutter whisper complain protest object counter contend
    maintain observe remark comment put sum read agree promise vow pledge caution allege assert boast point reveal
    report testify text email message blog describe summarise summarize offer repeat wonder plead demand challenge
    reiterate recount muse scoff snap yell scream proclaim exclaim interject retort fume gush marvel thunder sneer
    grumble concur opine posit rant chime estimate""".split()
)
# Verbs whose clausal complement is reported speech ("X argued that ..."): a stricter set,
# without verbs of thinking or finding ("believe", "found"), which are not statements.
INDIRECT_VERBS = frozenset(
    """say tell add argue claim insist warn note state announce declare confirm acknowledge admit concede stress
    emphasise emphasize explain write post tweet predict contend maintain assert allege reveal testify reiterate
    promise vow pledge complain caution point reply respond recall observe remark agree deny demand""".split()
)
# Verbs of judging someone or something: a quoted phrase in their object is the subject's words
# ("accused Obama of “leading from behind”", "credited the win to “a closed primary”").
JUDGING_VERBS = frozenset(
    """accuse praise criticize criticise blame credit thank mock blast slam dismiss reject deride lament bemoan
    tout decry denounce defend endorse cite question attack hail applaud welcome condemn ridicule rebuke scold
    chide lambaste berate knock champion command vent refer dub liken compare""".split()
)
# Verbs that frame a quoted phrase as someone's characterisation ("called it “a disgrace”").
CHARACTERISING_VERBS = frozenset("call describe label dub brand term characterise characterize".split())

SPOKES_NOUNS = frozenset("spokesperson spokesman spokeswoman representative spokespeople press officer".split())
PERSON_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman representative executive chief director president chair chairman
    chairwoman chairperson founder co-founder cofounder lawyer attorney counsel analyst economist researcher
    scientist professor expert official officer minister secretary senator lawmaker legislator artist musician
    singer composer songwriter illustrator photographer writer author novelist translator actor actress painter
    cartoonist designer producer engineer employee worker staffer member critic opponent supporter advocate
    activist campaigner protester protestor person people source manager head leader organiser organizer adviser
    advisor consultant partner owner user fan student teacher judge sponsor panellist panelist bassist guitarist
    drummer rapper animator voice creator editor journalist reporter investor negotiator mediator commissioner
    assemblywoman assemblyman councillor mayor governor candidate chancellor man woman friend colleague insider""".split()
)
ORG_NOUNS = frozenset(
    """company firm startup start-up platform service site label studio union guild federation coalition alliance
    association society group network organisation organization institute commission committee agency ministry
    department government office council court board developer publisher maker business body campaign collective
    forum foundation trust charity lab labs regulator authority parliament team band""".split()
)
DOCUMENT_NOUNS = frozenset("statement letter post email memo filing complaint note release tweet message notice announcement".split())
UNION_WORDS = frozenset("union guild federation coalition alliance association society collective forum network campaign".split())
AUTHORITY_WORDS = frozenset("commission committee agency ministry department government office council court regulator authority parliament".split())
ORG_NAME_WORDS = frozenset(
    """inc inc. ltd ltd. llc corp corp. co co. plc labs lab studios studio records music media audio group union guild
    federation coalition alliance association society network institute commission committee council agency ministry
    department office forum foundation trust collective partners systems technologies bank university college court
    parliament congress senate assembly party news times post journal gallery museum academy center centre fund press
    publishing entertainment pictures films games ai sound semiconductor securities""".split()
)
HONORIFICS = {
    "mr": "male", "mr.": "male", "sir": "male", "lord": "male", "assemblyman": "male", "councilman": "male",
    "mrs": "female", "mrs.": "female", "ms": "female", "ms.": "female", "miss": "female", "dame": "female",
    "lady": "female", "assemblywoman": "female", "councilwoman": "female",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "professor": None, "sen": None, "sen.": None,
    "senator": None, "rep": None, "rep.": None, "gov": None, "gov.": None, "governor": None, "judge": None,
    "justice": None, "mayor": None, "minister": None, "councillor": None, "rev": None, "rev.": None,
}
# Prepositions that tie a person to an organisation ("of the Alliance", "at Westbrook University"); after
# others a name is a place ("a bassist from Bergen"), an addressee ("told the Meridian") or a date.
ORGANISATION_PREPOSITIONS = frozenset(("of", "at", "for", "with"))
NOT_ORGANISATION_LABELS = frozenset(("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LOC", "LANGUAGE", "EVENT", "LAW"))
# Capitalised words that name no one in this domain's news.
NOT_ENTITY_WORDS = frozenset(
    """AI A.I. Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December""".split()
)
PRONOUN_TYPES = {"he": "male", "she": "female", "him": "male", "her": "female", "his": "male", "it": "org", "its": "org", "they": "plural"}
_ONE_MARK_SHAPE = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "“": '"', "”": '"'})
_POSSESSIVE = re.compile(r"[’']s?$")
_NOT_NAME_POS = frozenset(("DET", "PRON", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "PUNCT", "NUM", "SYM", "SPACE"))


def looks_like_name(token: Token) -> bool:
    """A proper-noun token, also when the small model mis-tags an unfamiliar name ("Canvasly"/ADV)."""
    if token.pos_ == "PROPN":
        return True
    text = token.text
    if not text[:1].isupper() or not any(c.isalpha() for c in text) or token.pos_ in _NOT_NAME_POS or token.is_stop:
        return False
    lemma = token.lemma_.lower()
    if lemma in PERSON_NOUNS or lemma in ORG_NOUNS or lemma in DOCUMENT_NOUNS or lemma in SPEECH_VERBS:
        return False
    following = token.nbor(1).text if token.i + 1 < len(token.doc) else ""
    return not token.is_sent_start or token.pos_ in ("NOUN", "X") or following == ":"


@dataclass
class Speaker:
    """A resolved speaker: who to store, and the evidence behind it."""

    name: str | None
    speaker_type: SpeakerType = "unknown"
    organization: str | None = None
    role: str | None = None
    gender: str | None = None


@dataclass
class Entity:
    name: str
    speaker_type: SpeakerType
    position: int
    is_subject: bool
    gender: str | None = None


@dataclass
class Discourse:
    """What a document has introduced so far: named people and organisations, in order.

    Pronoun and alias resolution look back through it; they look only at
    mentions before the one being resolved, like a reader.
    """

    entities: list[Entity] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)

    def add(self, speaker: Speaker, position: int, is_subject: bool) -> None:
        if speaker.name and speaker.speaker_type in ("person", "organization"):
            self.entities.append(Entity(speaker.name, speaker.speaker_type, position, is_subject))
            if speaker.gender:
                self.genders.setdefault(speaker.name, speaker.gender)

    def full_person_name(self, name: str, position: int) -> str | None:
        """The full name a surname (or first name) alias stands for, if one was introduced."""
        if len(name.split()) > 1:
            return None
        key = name.lower()
        candidates = [
            e for e in self.entities
            if e.speaker_type == "person" and len(e.name.split()) > 1
            and key in (e.name.split()[-1].lower(), e.name.split()[0].lower())
        ]
        before = [e for e in candidates if e.position < position]
        pool = before or candidates
        return pool[-1].name if pool else None

    def resolve_pronoun(self, pronoun: str, position: int) -> Entity | None:
        """The last compatible entity before ``position``; subjects beat other mentions."""
        kind = PRONOUN_TYPES.get(pronoun.lower())
        return None if kind is None else self.last_entity(kind, position)

    def last_entity(self, kind: str, position: int) -> Entity | None:
        """kind: "male"/"female" (a person of unknown or that gender), "person", or anything else for an organisation."""
        wanted = "person" if kind in ("male", "female", "person") else "organization"
        earlier = [e for e in self.entities if e.position < position and e.speaker_type == wanted]
        if kind in ("male", "female"):
            earlier = [e for e in earlier if self.genders.get(e.name, kind) == kind]
        for pool in ([e for e in earlier if e.is_subject], earlier):
            if pool:
                chosen = pool[-1]
                if kind in ("male", "female"):
                    self.genders.setdefault(chosen.name, kind)
                return chosen
        return None

    def last_organization(self, position: int, head_word: str | None = None) -> str | None:
        """Nominal anaphora ("the union", "the company"): the last organisation of a fitting kind."""
        orgs = [e for e in self.entities if e.position < position and e.speaker_type == "organization"]
        if head_word:
            named_alike = [e for e in orgs if head_word in e.name.lower().split()]
            if named_alike:
                return named_alike[-1].name
            kind = _org_kind(head_word)
            orgs = [e for e in orgs if _org_kind_of_name(e.name) == kind] or (orgs if kind == "company" else [])
        for pool in ([e for e in orgs if e.is_subject], orgs):
            if pool:
                return pool[-1].name
        return None


def _org_kind(word: str) -> str:
    if word in UNION_WORDS:
        return "union"
    if word in AUTHORITY_WORDS:
        return "authority"
    return "company"


def _org_kind_of_name(name: str) -> str:
    words = {w.lower() for w in name.split()}
    if words & UNION_WORDS:
        return "union"
    if words & AUTHORITY_WORDS:
        return "authority"
    return "company"


# Titles before a person's name: the same person is one speaker with or without them.
_HONORIFIC = re.compile(r"^(mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|rev|reverend)\.?\s+(?=[A-Z])", re.IGNORECASE)


def clean_name(text: str) -> str:
    """Drop a leading article, question word or title, a possessive ending and stray punctuation; one apostrophe
    and one quotation mark shape, so "O’Dowd" and "O'Dowd" are one name."""
    text = text.translate(_ONE_MARK_SHAPE)
    # a question word is a headline's ("What Synthaura says"), never part of a name
    text = re.sub(r"^(the|a|an|what|who|why|how|when|where|which)\s+", "", text.strip(" ,.;:\n\"—―–-"), flags=re.IGNORECASE)
    text = _HONORIFIC.sub("", text)
    return _POSSESSIVE.sub("", text).strip()


def _proper_run(head: Token) -> list[Token]:
    """The contiguous proper-noun tokens ending at ``head`` ("Harbour Records chief executive [Daniel Osei]")."""
    doc = head.doc
    start = head.i
    while start > 0 and (looks_like_name(doc[start - 1]) or (doc[start - 1].text in "-–" and doc[start - 1].whitespace_ == "")):
        start -= 1
    while doc[start].text in "-–":
        start += 1
    return list(doc[start : head.i + 1])


def _through_of_phrase(tokens: list[Token]) -> list[Token]:
    """"Guild" -> "Guild of Session Musicians", "Fair Play" -> "Fair Play for Musicians"."""
    doc = tokens[-1].doc
    nxt = tokens[-1].i + 1
    if nxt + 1 < len(doc) and doc[nxt].lower_ in ("of", "for") and doc[nxt + 1].text[:1].isupper():
        end = nxt + 1
        while end + 1 < len(doc) and (looks_like_name(doc[end + 1]) or doc[end + 1].text == "&"):
            end += 1
        if looks_like_name(doc[end]) or doc[end].pos_ == "PROPN":
            return list(doc[tokens[0].i : end + 1])
    return tokens


def _entity_of(token: Token) -> SpacySpan | None:
    """The named-entity span holding ``token`` (read from IOB tags: ``doc.ents`` rebuilds every span)."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while doc[start].ent_iob_ == "I" and start > 0:
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return SpacySpan(doc, start, end, label=token.ent_type_)


def _name_text(tokens: list[Token]) -> str:
    return clean_name(tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text)


def _strip_honorific(tokens: list[Token]) -> tuple[list[Token], str | None, bool]:
    """(name tokens, gender, had_honorific)."""
    if len(tokens) > 1 and tokens[0].lower_ in HONORIFICS:
        return tokens[1:], HONORIFICS[tokens[0].lower_], True
    return tokens, None, False


def _role_words(head: Token, skip: set[int]) -> str | None:
    """The role a phrase gives its speaker: "chief executive", "general counsel", "spokesperson"."""
    role_head = head
    if looks_like_name(head):
        appositives = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
        if appositives:
            role_head = appositives[0]
        else:
            before = [t for t in head.subtree if t.i < head.i and t.i not in skip and t.pos_ in ("NOUN", "ADJ") and t.dep_ in ("compound", "amod")]
            return " ".join(t.text for t in before) or None
    words = [t for t in role_head.subtree if t.i <= role_head.i and t.i not in skip and t.pos_ in ("NOUN", "ADJ") and t.lower_ not in ("former", "other", "several", "many")]
    words = [t for t in words if t.head == role_head or t == role_head]
    return " ".join(t.text for t in words) or None


def _organization_in(np_tokens: list[Token], skip: set[int]) -> str | None:
    """An organisation named inside the phrase: "at Northbeam Research", "Pixelforge’s", "a Canvasly spokesperson"."""
    for token in np_tokens:
        if token.i in skip or not looks_like_name(token) or not _could_name_an_organisation(token):
            continue
        if token.dep_ in ("amod", "compound") and token.head.lemma_.lower() in ORG_NOUNS:
            named = _named_appositive(token.head)
            if named is not None and named.i not in skip:
                return _name_text(_proper_run(named))  # "the Bergen band the Lantern Hours": the band, not its town
        ent = _entity_of(token)
        if ent is not None and ent.label_ in ("ORG", "PRODUCT", "GPE", "NORP", "FAC", "WORK_OF_ART", "PERSON"):
            if ent.label_ == "PERSON" and token.dep_ not in ("poss", "compound", "pobj"):
                continue
            if any(t.i in skip for t in ent):
                continue
            return clean_name(ent.text)
        if token.dep_ in ("poss", "compound", "pobj") and token.head.i not in skip:
            # "the Fair Play for Creators Alliance": the whole name, never its first word.
            head = token
            while head.dep_ == "compound" and head.head.i > head.i and looks_like_name(head.head) and head.head.i not in skip:
                head = head.head
            if head.lemma_.lower() in PERSON_NOUNS:
                continue  # "Samuel Achterberg, Deputy Director for Policy": a title, not an organisation
            return _name_text(_through_of_phrase(_proper_run(head)))
    return None


def _is_capitalised_title(token: Token) -> bool:
    """"Deputy Director (for Policy)": the part after it is the job's field, not an employer."""
    return token.lemma_.lower() in PERSON_NOUNS and token.text[:1].isupper()


def _ties_to_an_organisation(preposition: Token) -> bool:
    """"director of X", "a researcher at X", "a statement from X" (a document's sender), not "from Bergen"."""
    attached_to = preposition.head
    if preposition.lower_ == "from":
        return attached_to.lemma_.lower() in DOCUMENT_NOUNS | SPOKES_NOUNS
    return preposition.lower_ in ORGANISATION_PREPOSITIONS and not _is_capitalised_title(attached_to)


def _could_name_an_organisation(token: Token) -> bool:
    """Not a place someone is from or in, a day, the outlet they spoke to, or a capitalised first word."""
    if token.ent_type_ in NOT_ORGANISATION_LABELS or token.text in NOT_ENTITY_WORDS:
        return False
    if token.dep_ == "pobj" and not _ties_to_an_organisation(token.head):
        return False
    ent = _entity_of(token)
    if ent is not None and ent.label_ in ("GPE", "LOC") and not (ent.root.dep_ == "pobj" and _ties_to_an_organisation(ent.root.head)):
        return False
    return not (token.is_sent_start and not token.ent_type_)


def _looks_like_org_name(name: str, ent_label: str | None) -> bool:
    words = name.lower().replace("-", " ").split()
    if words and (words[-1] in ORG_NAME_WORDS or (len(words) > 1 and words[0] in ORG_NAME_WORDS)):
        return True
    if "of" in words or "for" in words or "&" in name:
        return True
    return ent_label in ("ORG", "PRODUCT", "GPE", "FAC", "NORP", "WORK_OF_ART") and len(words) == 1


def _person_evidence(head: Token) -> bool:
    """An appositive role noun or a 'who' clause marks a person, whatever NER says."""
    for child in head.children:
        if child.dep_ == "relcl" and any(t.lower_ in ("who", "whom", "whose") for t in child.subtree):
            return True
        if child.dep_ == "appos" and child.lemma_.lower() in PERSON_NOUNS:
            return True
    return False


def _org_evidence(head: Token) -> bool:
    for child in head.children:
        if child.dep_ == "relcl" and any(t.lower_ == "which" for t in child.subtree):
            return True
        if child.dep_ == "appos" and child.lemma_.lower() in ORG_NOUNS:
            return True
    return False


def describe_mention(head: Token, np_tokens: list[Token], discourse: Discourse, position: int) -> Speaker:
    """Normalise the speaker mention headed by ``head`` (np_tokens: the whole phrase)."""
    lower = head.lower_
    if head.pos_ == "PRON":
        entity = discourse.resolve_pronoun(lower, position)
        if entity is None:
            return Speaker(None, "person" if lower in ("he", "she") else "unknown")
        return Speaker(entity.name, entity.speaker_type)
    if not looks_like_name(head):
        named = _named_appositive(head)
        if named is not None:
            speaker = describe_mention(named, list(named.subtree), discourse, position)
            speaker.role = speaker.role or _role_words(head, {t.i for t in named.subtree})
            speaker.organization = speaker.organization or _organization_in(np_tokens, {t.i for t in named.subtree})
            return speaker
        return _describe_common_noun(head, np_tokens, discourse, position)
    run, gender, had_honorific = _strip_honorific(_proper_run(head))
    ent = _entity_of(head)
    name_tokens = run
    if ent is not None and ent.label_ != "PERSON" and not had_honorific:
        inside = [t for t in ent if t.pos_ != "DET" and t.tag_ != "POS"]
        name_tokens = inside or run
    name_tokens = _through_of_phrase(name_tokens)
    name = _name_text(name_tokens)
    run_ids = {t.i for t in _proper_run(head)} | {t.i for t in name_tokens}
    role = _role_words(head, run_ids)
    full = discourse.full_person_name(name, position)
    ent_label = ent.label_ if ent is not None else None
    if full is not None:
        return Speaker(full, "person", _organization_in(np_tokens, run_ids), role, gender)
    if had_honorific or _person_evidence(head):
        is_person = True
    elif _org_evidence(head) or _looks_like_org_name(name, ent_label):
        is_person = False
    else:
        # People are introduced by full name in news; a lone unknown word naming a speaker is a brand.
        is_person = len(name.split()) > 1
    if is_person:
        return Speaker(name, "person", _organization_in(np_tokens, run_ids), role, gender)
    return Speaker(name, "organization")


def _named_appositive(head: Token) -> Token | None:
    """"Northwind Audio’s spokeswoman, Beatrice Lowe", "the site Canvasly": the name after a role noun."""
    for child in head.children:
        if child.dep_ == "appos" and looks_like_name(child):
            return child
    doc = head.doc
    i = head.i + 1
    if i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or not looks_like_name(doc[i]) or doc[i].is_sent_start:
        return None
    while i + 1 < len(doc) and (looks_like_name(doc[i + 1]) or (doc[i + 1].text in "-–" and not doc[i].whitespace_)):
        i += 1
    return doc[i]


def _describe_common_noun(head: Token, np_tokens: list[Token], discourse: Discourse, position: int) -> Speaker:
    lemma = head.lemma_.lower()
    if lemma in SPOKES_NOUNS or (lemma == "officer" and any(t.lower_ == "press" for t in np_tokens)):
        organization = _organization_in(np_tokens, set()) or discourse.last_organization(position)
        if organization:
            return Speaker(organization, "organization", organization, head.text)
        return Speaker(None, "organization", None, head.text)
    if lemma in DOCUMENT_NOUNS:
        owner = _organization_in(np_tokens, set()) or _document_owner(head, discourse, position)
        return Speaker(owner, "organization" if owner else "unknown", owner)
    if lemma in ORG_NOUNS and any(t.lower_ in ("the", "its", "this", "that") for t in np_tokens if t.i < head.i):
        organization = discourse.last_organization(position, lemma)
        return Speaker(organization, "organization" if organization else "unknown", organization)
    if lemma in PERSON_NOUNS or is_age_phrase(head):
        role = None if is_age_phrase(head) else _role_words(head, set())
        definite = any(t.lower_ == "the" for t in np_tokens if t.i < head.i) and head.tag_ in ("NN", "NNP", "JJ")
        if definite and lemma not in SPOKES_NOUNS:
            # "the singer said", "the 31-year-old said": news refers back to the person just named.
            entity = discourse.last_entity("person", position)
            if entity is not None:
                return Speaker(entity.name, "person", None, role)
        return Speaker(None, "person", _organization_in(np_tokens, set()), role)
    return Speaker(None, "unknown")


def is_age_phrase(head: Token) -> bool:
    """"the 31-year-old": the head is "old" after "year"."""
    return head.lower_ == "old" and head.i >= 2 and head.doc[head.i - 2].lower_ in ("year", "years")


def _document_owner(head: Token, discourse: Discourse, position: int) -> str | None:
    """"the statement said": whoever issued the last statement mentioned before."""
    doc = head.doc
    for token in reversed(doc[: head.i]):
        if token.lemma_.lower() == head.lemma_.lower() and token.dep_ in ("dobj", "pobj"):
            verb = token.head if token.dep_ == "dobj" else token.head.head
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                return describe_mention(subjects[0], list(subjects[0].subtree), discourse, subjects[0].idx).name
    return discourse.last_organization(position)


def is_plausible_speaker(head: Token) -> bool:
    """Can this noun phrase head say something? (people, organisations, pronouns, documents)."""
    if head.pos_ == "PRON":
        return head.lower_ in ("he", "she", "they", "it", "i", "we", "who", "you", "others", "many", "some", "most", "both", "all")
    if head.lower_ in ("many", "some", "most", "others", "few"):
        return True
    if looks_like_name(head):
        return head.ent_type_ not in ("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL")
    lemma = head.lemma_.lower()
    return lemma in PERSON_NOUNS or lemma in ORG_NOUNS or lemma in DOCUMENT_NOUNS or is_age_phrase(head) or head.pos_ == "NOUN"
