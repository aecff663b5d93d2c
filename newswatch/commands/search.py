"""`newswatch search`: the analyst's search over articles or quotes, grouped by story.

Filters are those of the query API (same validation, same Elasticsearch requests); the command
adds story grouping and the three output forms (a readable table, ``--json`` lines, ``--csv``).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone

DEFAULT_DAYS = 7
# An analyst at the command line may look back as far as the index goes.
CLI_MAX_DAYS = 100 * 366
# Enough hits that copies of the first stories do not crowd out the stories after them.
HITS_PER_STORY = 4
MAX_HITS = 1000
RELATIVE_DAYS = re.compile(r"^(\d{1,5})d$")
STORY_CSV_COLUMNS = ("story", "published_at", "score", "outlets", "copies")


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


class UsageError(ValueError):
    """Arguments a user can fix; printed as one line."""


def parse_when(value: str | None, now: datetime) -> datetime | None:
    """An ISO date or time (UTC unless it says otherwise), or ``Nd`` for N days before now."""
    if value is None:
        return None
    relative = RELATIVE_DAYS.match(value.strip())
    if relative:
        return now - timedelta(days=int(relative.group(1)))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"not a date: {value!r} (use 2026-11-30, 2026-11-30T08:00 or 30d)") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def build_filters(args: argparse.Namespace, now: datetime):
    """The query API's filters from the command line, with its validation messages on one line."""
    from pydantic import ValidationError

    from newswatch.query_api.models import Filters

    until = parse_when(args.until, now) or now
    since = parse_when(args.since, now) or until - timedelta(days=DEFAULT_DAYS)
    try:
        return Filters(
            q=args.query, speaker=args.speaker, organization=args.org, target=args.target, label=args.label,
            source=args.source or [], min_relevance=args.min_relevance, titles=args.titles,
            **{"from": since, "to": until},
        )
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in exc.errors())
        raise UsageError(problems.replace("--q:", "query:").replace("--from:", "--since:").replace("--to:", "--until:")) from None


def find_stories(service, filters, quotes: bool, size: int, sort: str):
    from newswatch.query_api.models import ArticleSearchParams, SearchParams
    from newswatch.query_api.stories import (
        add_outlets,
        article_story_key,
        group_into_stories,
        quote_story_key,
    )

    hits_wanted = min(size * HITS_PER_STORY, MAX_HITS)
    common = {**filters.model_dump(by_alias=True), "size": hits_wanted, "sort": sort}
    if quotes:
        page = service.search_quotes(SearchParams(**common))
        cluster_of_article = service.clusters_of_articles([q.article_id for q in page.items if q.article_id])
        stories = group_into_stories(page.items, lambda q: quote_story_key(q, cluster_of_article), size)
        add_outlets(stories, service.outlets_of_clusters(list(set(cluster_of_article.values()))),
                    lambda story: cluster_of_article.get(story.lead.article_id or ""))
    else:
        page = service.search_articles(ArticleSearchParams(**common, include_quotes=False))
        stories = group_into_stories(page.items, article_story_key, size)
        add_outlets(stories, service.outlets_of_clusters([s.lead.cluster_id for s in stories if s.lead.cluster_id]),
                    lambda story: story.lead.cluster_id)
    return stories, page.total


def _stance_text(stance) -> str:
    return ", ".join(f"{s.target_id}:{s.label}" for s in stance) or "-"


def _day(moment: str | None) -> str:
    return (moment or "")[:10] or "undated"


def story_record(story, quotes: bool) -> dict:
    lead = story.lead
    record = {"story": story.key, "published_at": lead.published_at, "score": lead.score, "outlets": story.outlets,
              "copies": [m.id for m in story.members]}
    return {**record, "quote" if quotes else "article": lead.model_dump(mode="json", exclude_none=True)}


def story_row(story, quotes: bool) -> dict:
    from newswatch.query_api.results import article_row, quote_row

    lead = story.lead
    row = quote_row(lead) if quotes else article_row(lead)
    return {**row, "story": story.key, "score": lead.score, "outlets": story.outlets,
            "copies": [m.id for m in story.members]}


def story_block(number: int, story, quotes: bool, width: int) -> str:
    lead = story.lead
    score = f"score {lead.score:.2f}" if lead.score is not None else ""
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
    if quotes:
        who = lead.speaker or "unknown speaker"
        if lead.organization:
            who += f" ({lead.organization})"
        lines = [f"{number:>2}. {_day(lead.published_at)}  {who}  {score}".rstrip(),
                 wrap.fill(f"\u201c{lead.text}\u201d"),
                 wrap.fill(f"in: {lead.article_title or '-'}")]
    else:
        lines = [f"{number:>2}. {_day(lead.published_at)}  {lead.title or '(untitled)'}  {score}".rstrip()]
        if lead.summary:
            lines.append(wrap.fill(lead.summary))
    lines.append(wrap.fill(f"outlets: {', '.join(story.outlets) or '-'}"))
    lines.append(wrap.fill(f"stance: {_stance_text(lead.stance)}"))
    url = lead.article_url if quotes else lead.url
    if url:
        lines.append(f"    {url}")
    return "\n".join(lines)


def write_stories(stories, quotes: bool, output: str, total: int, filters, out=None) -> None:
    from newswatch.query_api.results import (
        ARTICLE_CSV_COLUMNS,
        QUOTE_CSV_COLUMNS,
        csv_lines,
    )

    out = out or sys.stdout
    if output == "json":
        for story in stories:
            out.write(json.dumps(story_record(story, quotes), ensure_ascii=False) + "\n")
    elif output == "csv":
        columns = STORY_CSV_COLUMNS + (QUOTE_CSV_COLUMNS if quotes else ARTICLE_CSV_COLUMNS)
        out.writelines(csv_lines((story_row(s, quotes) for s in stories), columns))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        since, until = _day(filters.date_from.isoformat()), _day(filters.date_to.isoformat())
        kind = "quotes" if quotes else "articles"
        out.write(f"{len(stories)} stories from {total} matching {kind}, published {since} to {until}\n\n")
        for number, story in enumerate(stories, 1):
            out.write(story_block(number, story, quotes, width) + "\n\n")
        if not stories:
            out.write(f"nothing found; widen the period with --since (e.g. --since {DEFAULT_DAYS * 10}d)\n")


def _search(args: argparse.Namespace) -> int:
    from newswatch.core.settings import Settings
    from newswatch.indexing.connection import es_client
    from newswatch.query_api.service import EncoderProvider, QueryService

    now = datetime.now(timezone.utc)
    try:
        filters = build_filters(args, now)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    service = QueryService(es_client(settings.es), settings.es.index_prefix,
                           replace(settings.api, max_time_range_days=CLI_MAX_DAYS, max_page_size=MAX_HITS),
                           EncoderProvider())
    sort = args.sort or ("relevance" if args.query else "newest")
    stories, total = find_stories(service, filters, args.quotes, args.size, sort)
    write_stories(stories, args.quotes, args.output, total, filters)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser(
        "search", help="search articles (or --quotes) with filters; results grouped by story",
        description="Search indexed articles, or quotes with --quotes, published in a period (default: the last "
                    f"{DEFAULT_DAYS} days). Copies of one story are grouped and every outlet listed.",
    )
    search.add_argument("query", nargs="?", default=None, help="words, \"a phrase\", -exclude, a | b, prefix* (optional)")
    search.add_argument("--quotes", action="store_true", help="search quotes instead of articles")
    search.add_argument("--since", help=f"published at or after: 2026-11-30, 2026-11-30T08:00 or 30d (default {DEFAULT_DAYS}d)")
    search.add_argument("--until", help="published at or before (default now)")
    search.add_argument("--target", help="stance target id of the topic profile, e.g. consent")
    search.add_argument("--label", choices=["favor", "against", "neutral", "uncertain"], help="stance label")
    search.add_argument("--speaker", help="quoted speaker (exact name, any case)")
    search.add_argument("--org", help="organisation (exact name, any case)")
    search.add_argument("--source", action="append", help="source id (repeat for several)")
    search.add_argument("--min-relevance", type=float, default=None, help="minimum relevance score, 0 to 1")
    search.add_argument("--titles", action="store_true", help="with --quotes: let the query match article titles too")
    search.add_argument("--sort", choices=["relevance", "newest", "oldest"], default=None,
                        help="default: relevance with a query, newest without")
    search.add_argument("--size", type=positive_int, default=10, help="stories to show (default 10)")
    output = search.add_mutually_exclusive_group()
    output.add_argument("--json", dest="output", action="store_const", const="json", help="one JSON object per story per line")
    output.add_argument("--csv", dest="output", action="store_const", const="csv", help="CSV, one row per story")
    search.set_defaults(handler=_search, output="table")
