"""Story merging, ranking, counts and rendering of a digest (pure; Chromium screenshots when installed)."""
from __future__ import annotations

import struct
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from urllib.parse import unquote

import pytest

from newswatch.digest.content import (
    DigestContent,
    KeyQuote,
    SourceLink,
    StanceBadge,
    Statement,
    Story,
    TermsChange,
    Window,
    count_stances,
    kibana_discover_url,
    merge_copies,
    pick_key_quotes,
    rank_stories,
    statements_from,
)
from newswatch.digest.render import render, safe_url
from newswatch.digest.screenshot import WIDTHS, find_browser, page_height, screenshot
from newswatch.digest.send import build_message, message_id_for
from newswatch.digest.subscriptions import SubscriptionError, parse_config, unsubscribe_for

WINDOW = Window(datetime(2026, 11, 19, 6, tzinfo=timezone.utc), datetime(2026, 11, 20, 6, tzinfo=timezone.utc))
CLAIMS = {"consent": "Consent claim", "compensation": "Compensation claim", "litigation": "Litigation claim"}
HOSTILE = '<script>alert("x")</script> Platform <b>rewrites</b> terms'
CONFIG = parse_config("""
from_email: Newswatch <digest@example.org>
subscriptions:
  - {name: html-sub, recipients: [a@example.org, b@example.org], timezone: Europe/Berlin, send_hour: 7}
  - {name: text-sub, recipients: [c@example.org], format: text}
""")


def hit(doc_id: str, cluster: str | None, source: str, relevance: float, hours: float, stance: dict | None = None,
        title: str = "Story") -> dict:
    published = WINDOW.start + timedelta(hours=hours)
    return {"_id": doc_id, "_source": {
        "title": title, "summary": f"Summary of {title}.", "canonical_url": f"https://{source}.example/{doc_id}",
        "source_name": source.title(), "source_id": source, "cluster_id": cluster, "relevance": relevance,
        "@timestamp": published.isoformat(), "fetched_at": (published + timedelta(minutes=5)).isoformat(),
        "stance": [{"target_id": t, "label": label} for t, label in (stance or {}).items()],
    }}


def test_syndicated_copies_become_one_story_led_by_the_most_relevant_copy():
    hits = [
        hit("a1", "c1", "wire", 0.80, 2, {"consent": "favor"}, "Deal signed (wire copy)"),
        hit("a2", "c1", "trade", 0.90, 3, {"consent": "favor", "compensation": "favor", "litigation": "neutral"}, "Deal signed"),
        hit("a3", "c1", "trade", 0.85, 4, {}, "Deal signed (same source again)"),
        hit("b1", None, "blog", 0.70, 5, {"litigation": "against"}, "Lone story"),
    ]
    stories = {s.key: s for s in merge_copies(hits, WINDOW, set(), CLAIMS)}
    assert set(stories) == {"c1", "b1"}
    deal = stories["c1"]
    assert deal.title == "Deal signed" and deal.relevance == 0.90
    assert [s.name for s in deal.sources] == ["Trade", "Wire"]  # one entry per source, lead first
    assert sorted(deal.article_ids) == ["a1", "a2", "a3"]
    assert [(b.target_id, b.label) for b in deal.stances] == [("consent", "favor"), ("compensation", "favor")]
    assert deal.stance_labels["litigation"] == "neutral"  # counted, though not shown as a badge
    assert deal.first_seen == WINDOW.start + timedelta(hours=2)


def test_ranking_prefers_relevance_and_new_stories_over_continuing_ones():
    hits = [hit("old", "c-old", "a", 0.90, 1), hit("new", "c-new", "b", 0.80, 1), hit("top", "c-top", "c", 0.95, 1),
            hit("much-older", "c-much", "d", 0.99, 1)]
    ranked = rank_stories(merge_copies(hits, WINDOW, {"c-old", "c-much"}, CLAIMS))
    # A continuing story yields to a new one of up to 0.25 lower relevance, not more.
    assert [s.key for s in ranked] == ["c-top", "c-new", "c-much", "c-old"]
    assert [s.novelty for s in ranked] == [1.0, 1.0, 0.0, 0.0]


def test_dates_without_an_offset_are_read_as_utc():
    naive = hit("n1", None, "x", 0.9, 2)
    naive["_source"]["@timestamp"] = "2026-11-19T08:00:00"
    assert merge_copies([naive], WINDOW, set(), CLAIMS)[0].first_seen == datetime(2026, 11, 19, 8, tzinfo=timezone.utc)


def test_stance_counts_count_stories_not_copies():
    hits = [hit("a1", "c1", "x", 0.9, 1, {"consent": "favor"}), hit("a2", "c1", "y", 0.8, 1, {"consent": "favor"}),
            hit("b1", "c2", "z", 0.7, 1, {"consent": "against", "litigation": "neutral"})]
    counts = {c.target_id: c for c in count_stances(merge_copies(hits, WINDOW, set(), CLAIMS), ("consent", "litigation"))}
    assert (counts["consent"].favor, counts["consent"].against, counts["consent"].neutral) == (1, 1, 0)
    assert (counts["litigation"].favor, counts["litigation"].neutral) == (0, 1)


def test_key_quote_is_the_attributed_quote_of_the_most_quoted_speaker_in_any_copy():
    stories = merge_copies([hit("a1", "c1", "x", 0.9, 1), hit("a2", "c1", "y", 0.8, 1)], WINDOW, set(), CLAIMS)
    quotes = [
        {"_source": {"article_id": "a2", "text": "Unattributed words.", "speaker": None}},
        {"_source": {"article_id": "a1", "text": "A reply.", "speaker": "John Doe", "position": 0}},
        {"_source": {"article_id": "a2", "text": "We want a licence.", "speaker": "Jane Roe", "organization": "Guild", "position": 1}},
        {"_source": {"article_id": "a1", "text": "And we want it now.", "speaker": "Jane Roe", "position": 2}},
    ]
    pick_key_quotes(stories, quotes)
    assert (stories[0].quote.speaker, stories[0].quote.text) == ("Jane Roe", "We want a licence.")


def test_key_quote_stays_on_the_side_the_headline_names_even_when_the_reply_is_more_relevant():
    title = "Creators alliance says opt-out is not consent"
    stories = merge_copies([hit("a1", "c1", "x", 0.9, 1, title=title)], WINDOW, set(), CLAIMS)
    quotes = [  # most relevant first, as the index returns them
        {"_source": {"article_id": "a1", "text": "Our opt-out respects every artist.", "speaker": "Lena Brooks",
                     "organization": "Wavelane", "position": 3}},
        {"_source": {"article_id": "a1", "text": "Opt-out is not consent.", "speaker": "Maya Okafor",
                     "organization": "Fair Play for Creators Alliance", "position": 0}},
    ]
    pick_key_quotes(stories, quotes)
    assert stories[0].quote.speaker == "Maya Okafor"


def test_story_date_is_its_earliest_copy():
    stories = merge_copies([hit("a1", "c1", "x", 0.9, 5), hit("a2", "c1", "y", 0.8, 2)], WINDOW, set(), CLAIMS)
    assert stories[0].published_at == WINDOW.start + timedelta(hours=2)


def test_statements_show_syndicated_repeats_once():
    doc = {"speaker": "Karla Ortiz", "text": "We never  agreed to this.", "article_title": "T", "article_url": "https://a.example/1"}
    hits = [{"_source": doc}, {"_source": {**doc, "text": "We never agreed to this.", "article_url": "https://b.example/2"}},
            {"_source": {"organization": "Stability AI", "speaker": None, "text": "Training is lawful."}}]
    statements = statements_from(hits, limit=5)
    assert [(s.speaker, s.text) for s in statements] == [("Karla Ortiz", "We never agreed to this."),
                                                          ("Stability AI", "Training is lawful.")]


def sample_content(**changes) -> DigestContent:
    story = Story(
        key="c1", article_ids=["a1"], title=HOSTILE, summary="A platform changed its terms.",
        url="https://news.example/terms", sources=[SourceLink("News", "https://news.example/terms"),
                                                    SourceLink("Evil", "javascript:alert(1)")],
        stances=[StanceBadge("platform_terms", "Platform terms", "favor", "Claim text")],
        stance_labels={"platform_terms": "favor"}, relevance=0.9, novelty=1.0, first_seen=WINDOW.start,
        quote=KeyQuote("We never agreed to this.", "Karla Ortiz", None, "illustrator", None),
        kibana_url="http://kibana.example/app/discover#/x",
    )
    content = DigestContent(
        subscription="html-sub", digest_date=date(2026, 11, 20), window=WINDOW, stories=[story], total_stories=1,
        statements=[Statement("Stability AI", None, None, "Training is lawful.", "Suit filed", "https://b.example/1", "B", None)],
        terms_changes=None, stance_counts=count_stances([story], ("platform_terms",)), kibana_url="http://kibana.example/all",
    )
    for key, value in changes.items():
        setattr(content, key, value)
    return content


def test_hostile_headline_is_escaped_and_script_urls_are_not_links():
    rendered = render(sample_content(), CONFIG.subscription("html-sub"))
    assert "<script>" not in rendered.html and "<b>rewrites" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Platform &lt;b&gt;rewrites&lt;/b&gt; terms" in rendered.html
    assert "javascript:" not in rendered.html
    assert HOSTILE in rendered.text  # plain text shows it verbatim: text/plain is never interpreted
    assert "Karla Ortiz, illustrator" in rendered.html and "Karla Ortiz, illustrator" in rendered.text
    assert "Terms and policy changes" not in rendered.html  # no terms index: the section is left out


def test_subject_is_one_line_even_when_a_title_has_line_breaks():
    content = sample_content()
    content.stories[0].title = "Line one\r\nBcc: victim@example.org"
    rendered = render(content, CONFIG.subscription("html-sub"))
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject.startswith("Newswatch digest 2026-11-20: 1 story, 1 new statement | Line one Bcc:")


def test_terms_section_and_empty_day_wording():
    change = TermsChange("artsy", "Terms of service", "https://artsy.example/tos", None, ("added",),
                         ("You grant us a licence to train AI on uploads.",))
    with_terms = render(sample_content(terms_changes=[change]), CONFIG.subscription("html-sub"))
    assert "Terms and policy changes" in with_terms.html and "AI-related clauses added" in with_terms.html
    assert '"You grant us a licence to train AI on uploads."' in with_terms.text
    none_today = render(sample_content(terms_changes=[]), CONFIG.subscription("html-sub"))
    assert "No AI-related changes in the watched terms and policies." in none_today.html
    empty = render(sample_content(stories=[], total_stories=0, statements=[], stance_counts=[]), CONFIG.subscription("html-sub"))
    assert empty.subject == "Newswatch digest 2026-11-20: nothing new"
    assert "Nothing new about AI and artists' rights in this period." in empty.html
    assert "Nothing new about AI and artists' rights in this period." in empty.text


def test_message_is_multipart_alternative_with_a_stable_message_id():
    subscription = CONFIG.subscription("html-sub")
    rendered = render(sample_content(), subscription)
    message_id = message_id_for("html-sub", date(2026, 11, 20), CONFIG.from_email)
    assert message_id == message_id_for("html-sub", date(2026, 11, 20), CONFIG.from_email)
    assert message_id != message_id_for("html-sub", date(2026, 11, 21), CONFIG.from_email)
    assert message_id.endswith("@example.org>")
    message = build_message(rendered, subscription, CONFIG.from_email, message_id, date(2026, 11, 20), WINDOW.end)
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["To"] == "a@example.org, b@example.org" and parsed["Message-ID"] == message_id

    text_only = render(sample_content(), CONFIG.subscription("text-sub"))
    assert text_only.html is None
    plain = build_message(text_only, CONFIG.subscription("text-sub"), CONFIG.from_email, message_id, date(2026, 11, 20), WINDOW.end)
    assert plain.get_content_type() == "text/plain"


def test_every_digest_has_an_unsubscribe_link_and_list_unsubscribe_headers():
    subscription = CONFIG.subscription("html-sub")
    mail_only = unsubscribe_for(CONFIG, subscription, CONFIG.from_email)
    assert mail_only.link == "mailto:digest@example.org?subject=unsubscribe%20html-sub"
    web = CONFIG.model_copy(update={"unsubscribe_url": "https://news.example/leave?list={subscription}"})
    both = unsubscribe_for(web, subscription, CONFIG.from_email)
    rendered = render(sample_content(), subscription, both)
    assert '<a href="https://news.example/leave?list=html-sub"' in rendered.html
    assert "Unsubscribe: https://news.example/leave?list=html-sub" in rendered.text
    message_id = message_id_for("html-sub", date(2026, 11, 20), CONFIG.from_email)
    parsed = message_from_bytes(
        build_message(rendered, subscription, CONFIG.from_email, message_id, date(2026, 11, 20), WINDOW.end, both).as_bytes(),
        policy=policy.default)
    assert parsed["List-Unsubscribe"] == ("<mailto:digest@example.org?subject=unsubscribe%20html-sub>, "
                                          "<https://news.example/leave?list=html-sub>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "Newswatch html-sub <html-sub.example.org>"
    with pytest.raises(SubscriptionError, match="unsubscribe_url"):
        parse_config("unsubscribe_url: http://plain.example/x\nsubscriptions: [{name: a, recipients: [a@example.org]}]")


def test_each_story_shows_its_date_beside_its_outlets():
    content = sample_content()
    content.stories[0].published_at = datetime(2026, 11, 19, 9, 30, tzinfo=timezone.utc)
    rendered = render(content, CONFIG.subscription("html-sub"))
    assert "19 Nov 2026</span> · <a href=\"https://news.example/terms\"" in rendered.html
    assert "   19 Nov 2026 - News, Evil" in rendered.text


def test_kibana_link_carries_query_and_period_in_rison():
    url = kibana_discover_url("http://kibana.example", "newswatch-articles", 'cluster_id:"it\'s"', WINDOW)
    decoded = unquote(url)
    assert decoded.startswith("http://kibana.example/app/discover#/?_g=(time:(from:'2026-11-19T06:00:00+00:00'")
    assert "dataViewId:'newswatch-articles'" in decoded
    assert "query:(language:kuery,query:'cluster_id:\"it!'s\"')" in decoded
    assert safe_url(url) == url and safe_url("javascript:alert(1)") == "" and safe_url("/relative") == ""


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def ten_story_content() -> DigestContent:
    base = sample_content().stories[0]
    stories = [
        Story(**{**base.__dict__, "key": f"c{n}", "title": f"Story number {n} about terms and consent",
                 "summary": "A longer summary of what happened, who said it and why it matters to artists. " * 3,
                 "published_at": WINDOW.start + timedelta(hours=n)})
        for n in range(1, 11)
    ]
    return sample_content(stories=stories, total_stories=10)


@pytest.mark.skipif(find_browser() is None, reason="no Chromium installed (apt-get install -y chromium)")
def test_screenshots_hold_the_whole_ten_story_digest_at_phone_and_desktop_widths(tmp_path):
    html = render(ten_story_content(), CONFIG.subscription("html-sub")).html
    assert html.count("19 Nov 2026</span>") == 10
    html_path = tmp_path / "digest.html"
    html_path.write_text(html, encoding="utf-8")
    shots = screenshot(html_path, tmp_path / "shots")
    assert set(shots) == set(WIDTHS)
    for label, path in shots.items():
        width, height = png_size(path)
        assert width == WIDTHS[label]
        # The whole page: as tall as Chromium lays it out, and taller than the old fixed 2,000 px window.
        assert height == page_height(html_path, width, find_browser()) > 2_000
        assert path.stat().st_size > 5_000  # a blank page compresses to far less
