"""Search hits grouped into stories: syndicated and lightly edited copies are one story with all its outlets.

Pure functions over the API's result models, shared by the command line and any other reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, TypeVar

from newswatch.query_api.models import ArticleOut, QuoteOut

Hit = TypeVar("Hit", ArticleOut, QuoteOut)

# Copies of one quote differ only in typography and spacing between outlets.
NOT_A_WORD = re.compile(r"\W+")


@dataclass
class Story(Generic[Hit]):
    """The best-ranked hit of a story, its other copies, and every outlet that carried it."""

    key: str
    lead: Hit
    copies: list[Hit] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)

    @property
    def members(self) -> list[Hit]:
        return [self.lead, *self.copies]


def article_story_key(article: ArticleOut) -> str:
    return article.cluster_id or article.id


def quote_story_key(quote: QuoteOut, cluster_of_article: dict[str, str]) -> str:
    """One quote as carried by every copy of its article's story."""
    story = cluster_of_article.get(quote.article_id or "", quote.article_id or quote.id)
    words = NOT_A_WORD.sub(" ", (quote.text or "").lower()).strip()
    return f"{story}|{(quote.speaker or '').lower()}|{words}"


def group_into_stories(hits: Iterable[Hit], key_of: Callable[[Hit], str], limit: int) -> list[Story[Hit]]:
    """Stories in the order of their best hit; at most ``limit`` stories, every copy of each kept."""
    stories: dict[str, Story[Hit]] = {}
    for hit in hits:
        key = key_of(hit)
        story = stories.get(key)
        if story is None:
            stories[key] = story = Story(key=key, lead=hit)
        else:
            story.copies.append(hit)
        if hit.source_name and hit.source_name not in story.outlets:
            story.outlets.append(hit.source_name)
    return list(stories.values())[:limit]


def add_outlets(stories: list[Story], outlets_of_cluster: dict[str, list[str]], cluster_of: Callable[[Story], str | None]) -> None:
    """Outlets of copies that fell outside the fetched hits (other dates, lower rank) are still listed."""
    for story in stories:
        for outlet in outlets_of_cluster.get(cluster_of(story) or "", []):
            if outlet not in story.outlets:
                story.outlets.append(outlet)
