"""Digest content -> subject, HTML part and plain-text part (Jinja2 templates in ``digest/templates``).

The HTML environment autoescapes everything: titles, summaries and quotes come
from third-party pages, so a headline with markup or a script shows as text.
Links are only emitted for http(s) URLs, so a ``javascript:`` URL in a
document cannot become a clickable link either.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from newswatch.digest.content import DigestContent
from newswatch.digest.subscriptions import Subscription, Unsubscribe

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SUBJECT_TITLE_CHARS = 70


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str | None  # None for text-only subscriptions


def safe_url(value: str | None) -> str:
    """The URL if it is an absolute http(s) URL, else an empty string (rendered as no link)."""
    if not value:
        return ""
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def one_line(value: str, limit: int) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _environment(autoescape: bool, zone: ZoneInfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def local_time(moment: datetime | None, pattern: str = "%d %b %Y %H:%M") -> str:
        return moment.astimezone(zone).strftime(pattern) if moment else ""

    env.filters["safe_url"] = safe_url
    env.filters["local_time"] = local_time
    return env


def subject_for(content: DigestContent) -> str:
    prefix = f"Newswatch digest {content.digest_date.isoformat()}"
    if content.is_empty:
        return f"{prefix}: nothing new"
    parts = []
    if content.stories:
        parts.append(f"{content.total_stories} {'story' if content.total_stories == 1 else 'stories'}")
    if content.statements:
        parts.append(f"{len(content.statements)} new {'statement' if len(content.statements) == 1 else 'statements'}")
    if content.terms_changes:
        parts.append(f"{len(content.terms_changes)} terms {'change' if len(content.terms_changes) == 1 else 'changes'}")
    subject = f"{prefix}: {', '.join(parts)}"
    if content.stories:
        subject += f" | {one_line(content.stories[0].title, SUBJECT_TITLE_CHARS)}"
    # Header values must be single-line: a title with line breaks must not inject headers.
    return one_line(subject, 200)


def render(content: DigestContent, subscription: Subscription, unsubscribe: Unsubscribe | None = None) -> RenderedDigest:
    context = {"digest": content, "subscription": subscription, "subject": subject_for(content),
               "unsubscribe": unsubscribe}
    text = _environment(False, subscription.zone).get_template("digest.txt.j2").render(context)
    html = None
    if subscription.format == "html+text":
        html = _environment(True, subscription.zone).get_template("digest.html.j2").render(context)
    return RenderedDigest(subject=context["subject"], text=text, html=html)
