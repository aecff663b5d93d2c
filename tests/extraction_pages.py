"""Small hand-written news pages for the extraction tests (our own text)."""
from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
PAGE_URL = "https://news.example.org/culture/2026/label-opt-out?utm_source=feed"

ENGLISH_PARAGRAPHS = [
    "A coalition of independent musicians asked the streaming platform on Tuesday to withdraw a new clause "
    "in its terms of service that would let the company train generative models on uploaded recordings.",
    "The clause, added without notice to the contributor agreement, covers every track already on the "
    "service as well as future uploads, according to the letter signed by more than four hundred artists.",
    "Representatives of two collecting societies said the change conflicts with existing licences, which "
    "grant the platform the right to stream the works but say nothing about using them as training data.",
    "A spokesperson for the platform said the wording was meant to cover recommendation features and that "
    "an opt-out form would be published before the new terms take effect for existing accounts.",
]
GERMAN_PARAGRAPHS = [
    "Eine Gruppe unabhängiger Musikerinnen und Musiker hat die Plattform am Dienstag aufgefordert, eine neue "
    "Klausel in den Nutzungsbedingungen zurückzunehmen, die das Training von Modellen mit Aufnahmen erlaubt.",
    "Die Klausel gilt nach Angaben der Unterzeichner für alle bereits hochgeladenen Titel und für künftige "
    "Veröffentlichungen, ohne dass die Urheber vorher gefragt oder gesondert vergütet werden.",
    "Vertreter zweier Verwertungsgesellschaften erklärten, die Änderung widerspreche den bestehenden Lizenzen, "
    "die zwar das Streaming der Werke erlauben, aber keine Nutzung als Trainingsmaterial vorsehen.",
]


def make_page(
    *,
    head: str = "",
    paragraphs: list[str] = ENGLISH_PARAGRAPHS,
    lang: str = "en",
    title: str = "Musicians push back on training clause",
) -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Example News</title>{head}</head>
<body>
<nav><a href="/">Home</a> <a href="/culture">Culture</a> <a href="/tech">Technology</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer>
</body></html>"""


FULL_HEAD = """
<link rel="canonical" href="/culture/2026/label-opt-out">
<meta property="og:title" content="Musicians push back on training clause">
<meta property="og:site_name" content="Example News">
<meta property="og:image" content="/images/letter.jpg">
<meta property="article:published_time" content="2026-02-17T09:30:00+01:00">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Musicians push back on training clause",
 "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Tom Berg"}]}</script>
"""
