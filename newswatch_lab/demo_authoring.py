"""Build the demo corpus from its authored sources.

The article texts live in ``articles/*.yaml`` and the look of each outlet in
``templates/``; this script renders them into the files the demo server
serves (``demo/corpus``, ``demo/terms``) and derives ``demo/sources.yaml`` and
``demo/expected.json`` from the same data, so titles, dates, links and the
test's expectations can never drift apart. The output is committed; run

    python -m newswatch_lab.demo_authoring            # rewrite the generated files
    python -m newswatch_lab.demo_authoring --check    # exit 1 if they are out of date

after editing anything under ``demo/authoring``.
"""
from __future__ import annotations

import argparse
import filecmp
import gzip
import html
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Iterable

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from newswatch.core.settings import REPO_ROOT
from newswatch_lab.demo_corpus import DEMO_DIR, PLACEHOLDER, TERMS_PATH

AUTHORING_DIR = REPO_ROOT / "demo" / "authoring"
TEMPLATES_DIR = AUTHORING_DIR / "templates"
RELEVANCE_LABELS = ("relevant", "off_topic", "borderline")
STANCE_TARGETS = ("consent", "compensation", "litigation", "platform_terms", "transparency", "voice_likeness")
STANCE_LABELS = ("favor", "against", "neutral")
# Generated outputs, relative to the demo folder; --check compares exactly these.
GENERATED = ("corpus", "terms", "sources.yaml", "expected.json")


@dataclass(frozen=True)
class Feed:
    id: str
    kind: str  # "rss" or "atom"
    path: str
    title: str
    description: str
    sections: tuple[str, ...] | None = None
    malformed: bool = False
    announced: bool = False  # not in sources.yaml: the listing page announces it, the poller discovers it


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    category: str
    language: str
    poll_interval_minutes: int
    template: str
    home: str
    url_pattern: str
    canonical: bool
    feeds: tuple[Feed, ...]
    listing: str | None = None
    listing_template: str = "listing.html.j2"
    listing_links: bool = True  # False: a script-rendered page with no article links
    news_sitemap: str | None = None  # a gzipped news sitemap, listed in robots.txt


@dataclass
class Article:
    outlet: Outlet
    slug: str
    title: str
    dek: str
    authors: list[str]
    published: datetime
    relevance: str
    body: str
    section: str = "news"
    author_role: str | None = None
    story: str | None = None
    syndicated_from: str | None = None
    feed_query: str | None = None
    tags: list[str] = field(default_factory=list)
    image_caption: str | None = None
    related: list[str] = field(default_factory=list)
    expect: list[dict[str, Any]] = field(default_factory=list)
    article_stance: list[dict[str, str]] = field(default_factory=list)
    broken: str | None = None

    @property
    def path(self) -> str:
        when = self.published
        return self.outlet.url_pattern.format(
            section=self.section, yyyy=f"{when:%Y}", mm=f"{when:%m}", dd=f"{when:%d}",
            mon=f"{when:%b}".lower(), slug=self.slug,
        )

    @property
    def feed_path(self) -> str:
        """The link a feed gives: some carry tracking parameters, as real feeds do."""
        return f"{self.path}?{self.feed_query}" if self.feed_query else self.path

    @property
    def file(self) -> str:
        """Where the page is stored under corpus/ (the server adds .html to bare paths)."""
        relative = self.path.lstrip("/")
        return relative if relative.endswith(".html") else relative + ".html"


def _load_outlets() -> list[Outlet]:
    raw = yaml.safe_load((AUTHORING_DIR / "outlets.yaml").read_text(encoding="utf-8"))
    outlets = []
    for entry in raw["outlets"]:
        feeds = tuple(
            Feed(**{**feed, "sections": tuple(feed["sections"]) if "sections" in feed else None})
            for feed in entry.pop("feeds")
        )
        outlets.append(Outlet(**entry, feeds=feeds))
    return outlets


def _load_articles(outlets: list[Outlet]) -> list[Article]:
    articles = []
    for outlet in outlets:
        source = AUTHORING_DIR / "articles" / f"{outlet.id}.yaml"
        try:
            entries = yaml.safe_load(source.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{source}: {exc}") from exc
        for entry in entries:
            try:
                article = Article(outlet=outlet, **entry)
            except TypeError as exc:  # an unknown or missing field
                raise ValueError(f"{source}: {entry.get('slug', '?')}: {exc}") from exc
            _validate(article)
            articles.append(article)
    return articles


def _validate(article: Article) -> None:
    where = f"{article.outlet.id}/{article.slug}"
    if article.relevance not in RELEVANCE_LABELS:
        raise ValueError(f"{where}: relevance {article.relevance!r} not in {RELEVANCE_LABELS}")
    if article.published.tzinfo is None:
        raise ValueError(f"{where}: published needs a UTC offset")
    text = article.body
    for quote in article.expect:
        if _normalise(quote["starts_with"]) not in _normalise(text):
            raise ValueError(f"{where}: expected quote {quote['starts_with']!r} is not in the body")
    for stance in [q["stance"] for q in article.expect] + article.article_stance:
        if stance["target_id"] not in STANCE_TARGETS or stance["label"] not in STANCE_LABELS:
            raise ValueError(f"{where}: bad stance {stance}")


def _normalise(text: str) -> str:
    """Curly quotes to straight and whitespace collapsed, as expected.json tells its readers to do."""
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return " ".join(text.translate(table).split())


def body_blocks(body: str) -> list[tuple[str, Any]]:
    """Paragraphs split on blank lines; '## ' starts a subhead, '- ' lines make a list."""
    blocks: list[tuple[str, Any]] = []
    for chunk in body.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if lines[0].startswith("## "):
            blocks.append(("h2", lines[0][3:]))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(("ul", [line[2:] for line in lines]))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def _text(value: str) -> str:
    """Escape for an HTML text node, leaving quote marks as typed (as most CMSs do)."""
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _date(when: datetime, style: str) -> str:
    """The human-readable date line, in each outlet's house style."""
    zone = {0: "GMT", 3600: "BST", -14400: "EDT", -18000: "EST"}.get(int(when.utcoffset().total_seconds()), "")
    if style == "uk_long":
        return f"{when:%a} {when.day} {when:%b %Y %H.%M} {zone}"
    if style == "us_long":
        return f"{when:%B} {when.day}, {when:%Y}"
    if style == "us_time":
        return f"{when:%b} {when.day}, {when:%Y}, {when.hour % 12 or 12}:{when:%M %p} {zone}"
    if style == "uk_day":
        return f"{when.day} {when:%B %Y}"
    raise ValueError(f"unknown date style {style}")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=False, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(t=_text, at=_attr, date=_date, rfc822=format_datetime)
    env.globals.update(base=PLACEHOLDER, json=json.dumps)
    return env


def _related(article: Article, siblings: list[Article]) -> list[Article]:
    """The explicit related links, or else the three stories nearest in time."""
    by_slug = {other.slug: other for other in siblings}
    if article.related:
        return [by_slug[slug] for slug in article.related]
    others = [other for other in siblings if other is not article and not other.broken]
    return sorted(others, key=lambda other: abs((other.published - article.published).total_seconds()))[:3]


def _json_ld(article: Article) -> str:
    """A schema.org NewsArticle block, as most news CMSs embed."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "datePublished": article.published.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "publisher": {"@type": "Organization", "name": article.outlet.name},
        "mainEntityOfPage": f"{PLACEHOLDER}{article.path}",
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _feed_entries(feed: Feed, articles: list[Article]) -> list[Article]:
    chosen = [a for a in articles if feed.sections is None or a.section in feed.sections]
    return sorted(chosen, key=lambda a: a.published, reverse=True)


def _break_feed(text: str) -> str:
    """A feed broken the way real ones are: a raw ampersand and a body cut mid-item."""
    text = text.replace("Legal &amp; Policy", "Legal & Policy", 1)
    last_item = text.rindex("<item>")
    cut = text.index("</title>", last_item) + len("</title>")
    return text[:cut] + "\n"


def _write(root: Path, relative: str, content: str | bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_bytes(content)


def render(out: Path) -> None:
    """Write every generated file under ``out`` (a demo folder or a scratch copy)."""
    env = _environment()
    outlets = _load_outlets()
    articles = _load_articles(outlets)
    corpus = out / "corpus"

    for outlet in outlets:
        mine = [a for a in articles if a.outlet is outlet]
        newest = sorted(mine, key=lambda a: a.published, reverse=True)
        for article in mine:
            page = env.get_template(outlet.template).render(
                a=article, outlet=outlet, blocks=body_blocks(article.body),
                related=_related(article, mine), latest=[x for x in newest if not x.broken][:5],
                json_ld=_json_ld(article),
            )
            if article.broken:
                # Compressed bytes with no Content-Encoding header: a binary body the pipeline must reject.
                _write(corpus, article.file, gzip.compress(page.encode("utf-8"), mtime=0))
            else:
                _write(corpus, article.file, page)
        for feed in outlet.feeds:
            entries = _feed_entries(feed, mine)
            text = env.get_template(f"{feed.kind}.xml.j2").render(
                feed=feed, outlet=outlet, entries=entries, updated=entries[0].published,
            )
            _write(corpus, feed.path.lstrip("/"), _break_feed(text) if feed.malformed else text)
        if outlet.listing:
            _write(corpus, outlet.listing.lstrip("/") + "index.html",
                   env.get_template(outlet.listing_template).render(outlet=outlet, entries=newest))
        if outlet.news_sitemap:
            sitemap = env.get_template("news_sitemap.xml.j2").render(outlet=outlet, entries=[a for a in newest if not a.broken])
            _write(corpus, outlet.news_sitemap.lstrip("/"), gzip.compress(sitemap.encode("utf-8"), mtime=0))

    sitemap_lines = "".join(f"Sitemap: {PLACEHOLDER}{outlet.news_sitemap}\n" for outlet in outlets if outlet.news_sitemap)
    _write(corpus, "robots.txt", "User-agent: *\nDisallow: /search\nDisallow: /account/\n" + sitemap_lines)
    for version in TERMS_VERSIONS:
        _write(out / "terms", f"wavelane-terms-v{version['number']}.html",
               env.get_template("wavelane_terms.html.j2").render(v=version))
    _write(out, "sources.yaml", _sources_yaml(outlets))
    _write(out, "expected.json", json.dumps(_expected(outlets, articles), indent=2, ensure_ascii=False) + "\n")


# The three versions of Wavelane's terms page served at TERMS_PATH (see issue 9):
# v2 adds the AI-training licence (4.3) and its survival on deletion (4.5);
# v3 changes only the "last updated" date and the analytics snippet.
TERMS_VERSIONS = (
    {"number": 1, "updated": "14 March 2025", "updated_iso": "2025-03-14", "ai_clause": False,
     "analytics_build": "2025.03.2", "analytics_tag": "WL-3841-A"},
    {"number": 2, "updated": "2 September 2026", "updated_iso": "2026-09-02", "ai_clause": True,
     "analytics_build": "2025.03.2", "analytics_tag": "WL-3841-A"},
    {"number": 3, "updated": "30 September 2026", "updated_iso": "2026-09-30", "ai_clause": True,
     "analytics_build": "2026.09.7", "analytics_tag": "WL-5120-C"},
)
TERMS_ADDED_IN_V2 = (
    "4.3 Licence for AI and machine learning",
    "you grant Wavelane a worldwide, non-exclusive, royalty-free licence to use Your Content to train, test and "
    "improve machine learning and artificial intelligence models",
    "except that the licence in section 4.3 continues for models trained before the deletion",
)


def _sources_yaml(outlets: list[Outlet]) -> str:
    entries = []
    for outlet in outlets:
        entry: dict[str, Any] = {
            "id": outlet.id, "name": outlet.name, "category": outlet.category, "language": outlet.language,
            "feeds": [f"{PLACEHOLDER}{feed.path}" for feed in outlet.feeds if not feed.announced],
        }
        if outlet.listing:
            entry["listing_url"] = f"{PLACEHOLDER}{outlet.listing}"
        entry["poll_interval_minutes"] = outlet.poll_interval_minutes
        entries.append(entry)
    header = (
        "# Demo sources: the bundled offline corpus served by newswatch_lab/demo_server.py.\n"
        "# Same schema as the main catalogue. {{BASE_URL}} is replaced by the server's address\n"
        "# (newswatch_lab.demo_corpus.sources_yaml(base_url)). Generated by newswatch_lab/demo_authoring.py from outlets.yaml.\n"
    )
    return header + yaml.safe_dump({"sources": entries}, sort_keys=False, allow_unicode=True, width=120)


def _expected(outlets: list[Outlet], articles: list[Article]) -> dict[str, Any]:
    pages = [a for a in articles if not a.broken]
    stories: dict[str, list[Article]] = {}
    for article in pages:
        if article.story:
            stories.setdefault(article.story, []).append(article)
    feeds = []
    for outlet in outlets:
        for feed in outlet.feeds:
            entries = _feed_entries(feed, [a for a in articles if a.outlet is outlet])
            record: dict[str, Any] = {
                "path": feed.path, "kind": feed.kind, "source_id": outlet.id,
                "entry_links": [a.feed_path for a in entries], "malformed": feed.malformed,
                "announced": feed.announced,
            }
            if feed.malformed:
                # _break_feed cuts the last item after its title: only the others are complete.
                record["complete_entry_links"] = record["entry_links"][:-1]
            feeds.append(record)
    return {
        "about": (
            "Generated by newswatch_lab/demo_authoring.py. Paths are relative to the server's base URL. "
            "Compare quote text after turning curly quotes into straight ones and collapsing whitespace; "
            "starts_with is the opening of the quoted words, without the quote mark."
        ),
        "counts": {
            "articles": len(pages),
            "relevant": sum(a.relevance == "relevant" for a in pages),
            "off_topic": sum(a.relevance == "off_topic" for a in pages),
            "borderline": sum(a.relevance == "borderline" for a in pages),
            "broken_pages": len(articles) - len(pages),
            "feeds": len(feeds),
            "malformed_feeds": sum(f["malformed"] for f in feeds),
            "announced_feeds": sum(f["announced"] for f in feeds),
            "news_sitemaps": sum(1 for outlet in outlets if outlet.news_sitemap),
            "quotes": sum(len(a.expect) for a in pages),
        },
        "articles": [
            {
                "path": a.path, "source_id": a.outlet.id, "title": a.title, "authors": a.authors,
                "published_at": a.published.isoformat(), "relevance": a.relevance, "story": a.story,
            }
            for a in pages
        ],
        "relevant": [a.path for a in pages if a.relevance == "relevant"],
        "off_topic": [a.path for a in pages if a.relevance == "off_topic"],
        "borderline": [a.path for a in pages if a.relevance == "borderline"],
        "syndicated_stories": [
            {
                "story": story,
                "original": next(a.path for a in copies if not a.syndicated_from),
                "paths": [a.path for a in copies],
                "feed_links": [a.feed_path for a in copies],
            }
            for story, copies in stories.items()
        ],
        "broken_pages": [
            {"path": a.path, "source_id": a.outlet.id, "problem": a.broken} for a in articles if a.broken
        ],
        "feeds": feeds,
        "listing_pages": [
            {
                "path": outlet.listing, "source_id": outlet.id,
                "article_links": [a.path for a in articles if a.outlet is outlet],
                "announced_feeds": [feed.path for feed in outlet.feeds if feed.announced],
            }
            for outlet in outlets if outlet.listing and outlet.listing_links
        ],
        "news_sitemaps": [
            {
                "path": outlet.news_sitemap, "source_id": outlet.id, "home": outlet.listing,
                "entry_links": [a.path for a in pages if a.outlet is outlet],
            }
            for outlet in outlets if outlet.news_sitemap
        ],
        "quotes": [
            {
                "path": a.path, "speaker": q.get("speaker"), "organization": q.get("organization"),
                "starts_with": _normalise(q["starts_with"]), "stance": q["stance"],
            }
            for a in pages for q in a.expect
        ],
        "article_stances": [
            {"path": a.path, **stance} for a in pages for stance in a.article_stance
        ],
        "terms": {
            "path": TERMS_PATH,
            "selector": "article.legal-document",
            "remove": [".legal-toc", ".legal-feedback"],
            "versions": {
                str(v["number"]): f"/terms/wavelane-terms-v{v['number']}.html" for v in TERMS_VERSIONS
            },
            "added_in_v2": list(TERMS_ADDED_IN_V2),
            "v3_changes": "only the 'last updated' date and the analytics script: no new version",
        },
    }


def _differing_files(left: Path, right: Path) -> Iterable[str]:
    """Relative paths that differ between two trees (missing on either side or changed)."""
    comparison = filecmp.dircmp(left, right)
    stack = [(comparison, "")]
    while stack:
        node, prefix = stack.pop()
        yield from (prefix + name for name in node.left_only + node.right_only)
        yield from (prefix + name for name in node.diff_files + node.funny_files)
        # dircmp compares files shallowly (size, mtime): re-check "same" ones byte for byte.
        _, mismatch, errors = filecmp.cmpfiles(node.left, node.right, node.same_files, shallow=False)
        yield from (prefix + name for name in mismatch + errors)
        stack.extend((sub, f"{prefix}{name}/") for name, sub in node.subdirs.items())


def stale_files(demo_dir: Path = DEMO_DIR) -> list[str]:
    """Generated files that do not match what the authored sources produce now."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        render(fresh)
        differences = []
        for name in GENERATED:
            ours, theirs = demo_dir / name, fresh / name
            if ours.is_dir() and theirs.is_dir():
                differences.extend(f"{name}/{path}" for path in _differing_files(ours, theirs))
            elif not ours.exists() or ours.read_bytes() != theirs.read_bytes():
                differences.append(name)
        return sorted(differences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report generated files that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"out of date: {name}")
        return 1 if stale else 0
    for name in ("corpus", "terms"):
        shutil.rmtree(DEMO_DIR / name, ignore_errors=True)
    render(DEMO_DIR)
    print(f"wrote {', '.join(GENERATED)} under {DEMO_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
