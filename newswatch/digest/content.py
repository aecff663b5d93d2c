"""What goes into one digest: stories, new statements, terms changes, stance counts.

Reads the ``articles`` and ``quotes`` aliases (and ``terms`` when it exists) for the
period the digest covers. Syndicated copies share a ``cluster_id`` and become one
story listing every source. Grouping, ranking and counting are pure functions over
search hits, so they are tested without a cluster.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote as url_quote

from elasticsearch import Elasticsearch

from newswatch.digest.records import DigestRecords
from newswatch.digest.subscriptions import DigestConfig, Filters, Subscription
from newswatch.enrichment.profile import load_profile
from newswatch.indexing.kibana import data_view_id
from newswatch.indexing.schema import IndexNames

log = logging.getLogger(__name__)

POLAR_LABELS = ("favor", "against")
COUNTED_LABELS = ("favor", "against", "neutral")
# A day's matching articles fit in one page; a cap keeps a runaway day from loading everything.
MAX_ARTICLES = 2000
MAX_TERMS_CHANGES = 10
MAX_TERMS_PASSAGES = 2
QUOTE_DISPLAY_CHARS = 320
SUMMARY_DISPLAY_CHARS = 600
# Ranking: mostly relevance; a story first covered in this period (novelty 1) beats an update to a
# story covered before (novelty 0) of up to 0.25 more relevance.
RELEVANCE_WEIGHT = 0.8
NOVELTY_WEIGHT = 0.2
ARTICLE_FIELDS = [
    "@timestamp", "fetched_at", "title", "summary", "url", "canonical_url", "source_id", "source_name",
    "cluster_id", "relevance", "stance",
]


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def digest_window(subscription: Subscription, digest_date: date, last_sent_end: datetime | None,
                  max_lookback: timedelta) -> Window:
    """The day before the send time, or everything since the last sent digest if that is more recent or
    (after an outage or skipped days) older but within ``max_lookback``: nothing falls between two digests."""
    end = subscription.send_time(digest_date)
    start = end - timedelta(days=1)
    if last_sent_end is not None and end - max_lookback <= last_sent_end < end:
        start = last_sent_end
    return Window(start, end)


@dataclass(frozen=True)
class SourceLink:
    name: str
    url: str


@dataclass(frozen=True)
class StanceBadge:
    target_id: str
    target_name: str
    label: str
    claim: str


@dataclass(frozen=True)
class KeyQuote:
    text: str
    speaker: str
    organization: str | None
    role: str | None
    url: str | None


@dataclass
class Story:
    key: str  # cluster id, or the article id of an unclustered article
    article_ids: list[str]
    title: str
    summary: str
    url: str
    sources: list[SourceLink]
    stances: list[StanceBadge]
    stance_labels: dict[str, str]  # target id -> label of every judgement, for the day's counts
    relevance: float
    novelty: float
    first_seen: datetime
    # The earliest copy's publication date (its fetch time when the page gave none), shown to readers.
    published_at: datetime | None = None
    quote: KeyQuote | None = None
    kibana_url: str | None = None

    @property
    def score(self) -> float:
        return RELEVANCE_WEIGHT * self.relevance + NOVELTY_WEIGHT * self.novelty


@dataclass(frozen=True)
class Statement:
    speaker: str
    organization: str | None
    role: str | None
    text: str
    article_title: str
    article_url: str
    source_name: str
    published_at: datetime | None


@dataclass(frozen=True)
class TermsChange:
    platform: str
    document: str
    url: str | None
    changed_at: datetime | None
    change_kinds: tuple[str, ...]  # added / removed / altered AI-related clauses
    passages: tuple[str, ...]


@dataclass(frozen=True)
class StanceCount:
    target_id: str
    target_name: str
    favor: int
    against: int
    neutral: int


@dataclass
class DigestContent:
    subscription: str
    digest_date: date
    window: Window
    stories: list[Story]
    total_stories: int
    statements: list[Statement]
    terms_changes: list[TermsChange] | None  # None: no terms index yet (the section is left out)
    stance_counts: list[StanceCount]
    kibana_url: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.stories or self.statements or self.terms_changes)


# --- pure helpers ---------------------------------------------------------------------------------

def target_name(target_id: str) -> str:
    return target_id.replace("_", " ").capitalize()


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Elasticsearch dates without an offset are UTC; comparing naive and aware datetimes would raise.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _seen_at(source: dict, window: Window) -> datetime:
    """When the article entered our view: its timestamp, or its fetch time if it was published earlier."""
    published = parse_time(source.get("@timestamp"))
    fetched = parse_time(source.get("fetched_at"))
    if published is not None and window.contains(published):
        return published
    return fetched or published or window.start


def merge_copies(hits: list[dict], window: Window, earlier_clusters: set[str], claims: dict[str, str]) -> list[Story]:
    """One story per cluster: the most relevant copy speaks for it, every copy's source is listed.

    ``earlier_clusters``: clusters that already had articles before the window (a continuing story).
    ``claims``: target id -> claim text, for the badges' explanations.
    """
    groups: dict[str, list[dict]] = {}
    for hit in hits:
        source = hit["_source"]
        groups.setdefault(source.get("cluster_id") or hit["_id"], []).append(hit)

    target_order = {target: position for position, target in enumerate(claims)}
    stories = []
    for key, members in groups.items():
        members.sort(key=lambda h: (-(h["_source"].get("relevance") or 0.0), _seen_at(h["_source"], window)))
        lead = members[0]["_source"]
        first_seen = min(_seen_at(h["_source"], window) for h in members)
        published = [moment for h in members if (moment := parse_time(h["_source"].get("@timestamp")))]

        sources: list[SourceLink] = []
        seen_names: set[str] = set()
        for hit in members:
            doc = hit["_source"]
            name = doc.get("source_name") or doc.get("source_id") or "unknown source"
            if name not in seen_names:
                seen_names.add(name)
                sources.append(SourceLink(name, doc.get("canonical_url") or doc.get("url") or ""))

        judgements: dict[str, str] = {}
        for hit in reversed(members):  # the lead copy's judgement wins
            for judgement in hit["_source"].get("stance") or []:
                if judgement.get("target_id") and judgement.get("label"):
                    judgements[judgement["target_id"]] = judgement["label"]
        badges = [
            StanceBadge(target, target_name(target), judgements[target], claims.get(target, ""))
            for target in sorted(judgements, key=lambda t: (target_order.get(t, len(target_order)), t))
            if judgements[target] in POLAR_LABELS
        ]

        stories.append(Story(
            key=key,
            article_ids=[h["_id"] for h in members],
            title=" ".join((lead.get("title") or "(untitled)").split()),
            summary=shorten(lead.get("summary") or "", SUMMARY_DISPLAY_CHARS),
            url=lead.get("canonical_url") or lead.get("url") or "",
            sources=sources,
            stances=badges,
            stance_labels=judgements,
            relevance=float(lead.get("relevance") or 0.0),
            novelty=0.0 if key in earlier_clusters else 1.0,
            first_seen=first_seen,
            published_at=min(published, default=None),
        ))
    return stories


def rank_stories(stories: list[Story]) -> list[Story]:
    return sorted(stories, key=lambda s: (-s.score, -s.relevance, s.first_seen, s.key))


def count_stances(stories: list[Story], target_ids: tuple[str, ...]) -> list[StanceCount]:
    """Per target, how many of the day's stories (not copies) were for, against or neutral."""
    counts = []
    for target in target_ids:
        labels = [s.stance_labels.get(target) for s in stories]
        counts.append(StanceCount(target, target_name(target), *(labels.count(label) for label in COUNTED_LABELS)))
    return counts


def main_speaker(story: Story, quotes: list[dict]) -> str:
    """Whose story it is: a speaker the headline names, else the one quoted most, else the first quoted."""
    headline = story.title.lower()

    def named_in_headline(doc: dict) -> bool:
        names = [doc["speaker"], doc.get("organization") or "", doc["speaker"].split()[-1]]
        return any(len(name) > 2 and name.lower() in headline for name in names)

    counts: dict[str, int] = {}
    for doc in quotes:
        counts[doc["speaker"]] = counts.get(doc["speaker"], 0) + 1
    earliest = {doc["speaker"]: doc.get("position", 0) for doc in reversed(quotes)}
    in_headline = {doc["speaker"] for doc in quotes if named_in_headline(doc)}
    return min(counts, key=lambda name: (name not in in_headline, -counts[name], earliest[name], name))


def pick_key_quotes(stories: list[Story], quote_hits: list[dict]) -> None:
    """Give each story the most relevant quote of its main speaker; ``quote_hits`` come most relevant first.

    The main speaker keeps the quote on the story's side: an article about an alliance's demand may
    quote the company's reply, which must not stand under the alliance's headline.
    """
    story_of_article = {article_id: story for story in stories for article_id in story.article_ids}
    quotes_of_story: dict[str, list[dict]] = {}
    for hit in quote_hits:
        doc = hit["_source"]
        story = story_of_article.get(doc.get("article_id"))
        if story is not None and doc.get("speaker"):
            quotes_of_story.setdefault(story.key, []).append(doc)
    for story in stories:
        quotes = quotes_of_story.get(story.key)
        if not quotes:
            continue
        speaker = main_speaker(story, quotes)
        doc = next(doc for doc in quotes if doc["speaker"] == speaker)
        story.quote = KeyQuote(
            text=shorten(doc.get("text") or "", QUOTE_DISPLAY_CHARS),
            speaker=doc["speaker"],
            organization=doc.get("organization"),
            role=doc.get("role"),
            url=doc.get("article_url"),
        )


def statements_from(quote_hits: list[dict], limit: int) -> list[Statement]:
    """Followed speakers' quotes, syndicated repeats of the same words shown once."""
    statements: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    for hit in quote_hits:
        doc = hit["_source"]
        text = " ".join((doc.get("text") or "").split())
        key = (str(doc.get("speaker") or doc.get("organization") or "").lower(), text.lower()[:200])
        if not text or key in seen:
            continue
        seen.add(key)
        statements.append(Statement(
            speaker=doc.get("speaker") or doc.get("organization") or "unknown speaker",
            organization=doc.get("organization") if doc.get("speaker") else None,
            role=doc.get("role"),
            text=shorten(text, QUOTE_DISPLAY_CHARS),
            article_title=" ".join((doc.get("article_title") or "").split()),
            article_url=doc.get("article_url") or "",
            source_name=doc.get("source_name") or doc.get("source_id") or "",
            published_at=parse_time(doc.get("published_at")),
        ))
        if len(statements) >= limit:
            break
    return statements


def terms_change_from(doc: dict) -> TermsChange:
    """A version document of the ``terms`` index (see newswatch/terms/watch.py) as one line of the digest."""
    kind = str(doc.get("doc_type") or doc.get("document") or "terms").replace("_", " ")
    passages = doc.get("ai_passages") or []
    if isinstance(passages, str):
        passages = [passages]
    return TermsChange(
        platform=str(doc.get("platform") or "unknown platform"),
        document=kind[:1].upper() + kind[1:],
        url=doc.get("url"),
        changed_at=parse_time(doc.get("changed_at")),
        change_kinds=tuple(doc.get("ai_change_kinds") or ()),
        passages=tuple(shorten(p, QUOTE_DISPLAY_CHARS) for p in passages[:MAX_TERMS_PASSAGES]),
    )


def _rison(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def kibana_discover_url(base_url: str, data_view: str, kql: str, window: Window) -> str:
    """A Kibana Discover link for a KQL query over the digest's period (state is rison in the hash)."""
    global_state = f"(time:(from:{_rison(window.start.isoformat())},to:{_rison(window.end.isoformat())}))"
    app_state = f"(dataSource:(dataViewId:{_rison(data_view)},type:dataView),query:(language:kuery,query:{_rison(kql)}))"
    safe = "(),:!'"
    return f"{base_url}/app/discover#/?_g={url_quote(global_state, safe=safe)}&_a={url_quote(app_state, safe=safe)}"


def _kql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- queries --------------------------------------------------------------------------------------

def _window_range(field_name: str, window: Window) -> dict:
    return {"range": {field_name: {"gte": window.start.isoformat(), "lt": window.end.isoformat()}}}


# A page published shortly before the period but first fetched in it is news to readers; one
# published weeks earlier (a new source's archive, a backfill) is not, whenever it was fetched.
LATE_DISCOVERY = timedelta(days=2)


def _late_discovery(window: Window) -> dict:
    """Published before the period (by at most LATE_DISCOVERY) and first fetched in it."""
    return {"bool": {"filter": [
        _window_range("fetched_at", window),
        {"range": {"@timestamp": {"gte": (window.start - LATE_DISCOVERY).isoformat(), "lt": window.start.isoformat()}}},
    ]}}


def article_query(filters: Filters, window: Window) -> dict:
    conditions: list[dict] = [
        {"term": {"is_relevant": True}},
        {"range": {"relevance": {"gte": filters.min_relevance}}},
        # Published in the period (@timestamp: the publication date, the fetch time for an undated
        # page), or a late discovery.
        {"bool": {"should": [_window_range("@timestamp", window), _late_discovery(window)], "minimum_should_match": 1}},
    ]
    origin = []
    if filters.sources:
        origin.append({"terms": {"source_id": list(filters.sources)}})
    if filters.categories:
        origin.append({"terms": {"source_category": list(filters.categories)}})
    if origin:
        conditions.append({"bool": {"should": origin, "minimum_should_match": 1}})
    if filters.stance_targets:
        conditions.append({"terms": {"stance_labels": [f"{t}:{label}" for t in filters.stance_targets for label in POLAR_LABELS]}})
    return {"bool": {"filter": conditions}}


class ContentBuilder:
    def __init__(self, client: Elasticsearch, prefix: str, config: DigestConfig):
        self.client = client
        self.names = IndexNames(prefix)
        self.config = config
        self.records = DigestRecords(client, prefix)

    def window_for(self, subscription: Subscription, digest_date: date) -> Window:
        last_end = self.records.last_sent_window_end(subscription.name, digest_date)
        return digest_window(subscription, digest_date, last_end, timedelta(days=self.config.max_lookback_days))

    def build(self, subscription: Subscription, digest_date: date) -> DigestContent:
        window = self.window_for(subscription, digest_date)
        profile = load_profile()
        claims = {t.id: t.claim for t in profile.targets}
        hits = self.client.search(
            index=self.names.alias("articles"), size=MAX_ARTICLES, query=article_query(subscription.filters, window),
            sort=[{"relevance": "desc"}, {"@timestamp": "asc"}], source=ARTICLE_FIELDS,
        )["hits"]["hits"]
        if len(hits) == MAX_ARTICLES:
            log.warning("digest %s %s: more than %d matching articles, the rest are left out",
                        subscription.name, digest_date, MAX_ARTICLES)
        stories = rank_stories(merge_copies(hits, window, self._earlier_clusters(hits, window), claims))
        counted_targets = subscription.filters.stance_targets or profile.target_ids
        stance_counts = count_stances(stories, counted_targets)
        shown = stories[: subscription.max_stories]
        pick_key_quotes(shown, self._key_quote_hits(shown))

        kibana = self.config.effective_kibana_url
        articles_view = data_view_id(self.names.prefix, "articles")  # the view `newswatch kibana import` makes
        if kibana:
            for story in shown:
                field_name = "cluster_id" if story.key not in story.article_ids else "_id"
                story.kibana_url = kibana_discover_url(kibana, articles_view, f"{field_name}:{_kql_string(story.key)}", window)
        return DigestContent(
            subscription=subscription.name,
            digest_date=digest_date,
            window=window,
            stories=shown,
            total_stories=len(stories),
            statements=self._statements(subscription, window),
            terms_changes=self._terms_changes(window),
            stance_counts=stance_counts,
            kibana_url=kibana_discover_url(kibana, articles_view, "is_relevant:true", window) if kibana else None,
        )

    def _earlier_clusters(self, hits: list[dict], window: Window) -> set[str]:
        cluster_ids = sorted({h["_source"]["cluster_id"] for h in hits if h["_source"].get("cluster_id")})
        if not cluster_ids:
            return set()
        response = self.client.search(
            index=self.names.alias("articles"), size=0,
            query={"bool": {"filter": [{"terms": {"cluster_id": cluster_ids}},
                                       {"range": {"@timestamp": {"lt": window.start.isoformat()}}}]}},
            aggs={"clusters": {"terms": {"field": "cluster_id", "size": len(cluster_ids)}}},
        )
        return {bucket["key"] for bucket in response["aggregations"]["clusters"]["buckets"]}

    def _key_quote_hits(self, stories: list[Story]) -> list[dict]:
        article_ids = [a for story in stories for a in story.article_ids]
        if not article_ids:
            return []
        return self.client.search(
            index=self.names.alias("quotes"), size=min(10_000, 20 * len(stories) + len(article_ids)),
            query={"bool": {
                "filter": [{"terms": {"article_id": article_ids}}, {"exists": {"field": "speaker"}}],
                "must_not": [{"term": {"is_relevant": False}}],
            }},
            sort=[{"relevance": {"order": "desc", "missing": "_last"}}, {"position": "asc"}],
        )["hits"]["hits"]

    def _late_article_ids(self, window: Window) -> list[str]:
        """Articles published before the period but first fetched in it: their quotes are new to readers."""
        response = self.client.search(
            index=self.names.alias("articles"), size=MAX_ARTICLES, source=False,
            query=_late_discovery(window),
        )
        return [hit["_id"] for hit in response["hits"]["hits"]]

    def _statements(self, subscription: Subscription, window: Window) -> list[Statement]:
        filters = subscription.filters
        if subscription.max_statements == 0 or not (filters.follow_speakers or filters.follow_organizations):
            return []
        followed = []
        if filters.follow_speakers:
            followed.append({"terms": {"speaker.normalized": [s.lower() for s in filters.follow_speakers]}})
        if filters.follow_organizations:
            followed.append({"terms": {"organization.normalized": [o.lower() for o in filters.follow_organizations]}})
        period: list[dict] = [_window_range("@timestamp", window)]
        late_ids = self._late_article_ids(window)
        if late_ids:
            period.append({"terms": {"article_id": late_ids}})
        hits = self.client.search(
            index=self.names.alias("quotes"), size=20 * subscription.max_statements,
            query={"bool": {
                "filter": [{"bool": {"should": followed, "minimum_should_match": 1}},
                           {"bool": {"should": period, "minimum_should_match": 1}}],
                "must_not": [{"term": {"is_relevant": False}}],
            }},
            sort=[{"@timestamp": "desc"}, {"relevance": {"order": "desc", "missing": "_last"}}],
        )["hits"]["hits"]
        return statements_from(hits, subscription.max_statements)

    def _terms_changes(self, window: Window) -> list[TermsChange] | None:
        alias = self.names.alias("terms")
        if not self.client.indices.exists(index=alias):
            return None  # the terms watch is not installed on this cluster yet
        hits = self.client.search(
            index=alias, size=MAX_TERMS_CHANGES,
            query={"bool": {"filter": [_window_range("changed_at", window), {"term": {"ai_related": True}}]}},
            sort=[{"changed_at": {"order": "desc", "unmapped_type": "date"}}],
        )["hits"]["hits"]
        return [terms_change_from(hit["_source"]) for hit in hits]
