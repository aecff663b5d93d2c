"""Digests built from the real Elasticsearch and sent to a real SMTP server (aiosmtpd on 127.0.0.1).

Fixture day: digest date 2026-11-20 for a Berlin 07:00 subscription, i.e. the period
2026-11-19 06:00 UTC to 2026-11-20 06:00 UTC.
"""
from __future__ import annotations

import socket
import threading
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from markupsafe import escape

from newswatch.core.model import Article, Quote, Span, StanceJudgement
from newswatch.digest.content import ContentBuilder
from newswatch.digest.records import DigestRecords
from newswatch.digest.send import (
    AirflowSmtpSender,
    DigestSendError,
    deliver,
    send_digest,
)
from newswatch.digest.subscriptions import parse_config
from newswatch.indexing.bulk import IndexAction
from newswatch.indexing.documents import article_document, quote_document
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames

pytestmark = pytest.mark.integration

DIGEST_DATE = date(2026, 11, 20)
PERIOD_START = datetime(2026, 11, 19, 6, tzinfo=timezone.utc)
HOSTILE_TITLE = '<script>alert("owned")</script> Art platform <b>quietly</b> rewrites its terms for AI'
CONFIG_TEXT = """
smtp_conn_id: newswatch_smtp
from_email: Newswatch <digest@newswatch.example>
kibana_url: http://kibana.example:5601
subscriptions:
  - name: morning
    recipients: [desk@example.org, editor@example.org]
    timezone: Europe/Berlin
    send_hour: 7
    filters:
      min_relevance: 0.5
      follow_speakers: [karla ortiz]
      follow_organizations: [Stability AI]
  - name: quiet-skip
    recipients: [skip@example.org]
    timezone: Europe/Berlin
    send_hour: 7
    empty_day: skip
  - name: quiet-notify
    recipients: [notify@example.org]
    timezone: Europe/Berlin
    send_hour: 7
    empty_day: nothing_new
  - name: litigation-only
    recipients: [legal@example.org]
    timezone: Europe/Berlin
    send_hour: 7
    filters: {stance_targets: [litigation]}
"""


def at(hours: float) -> datetime:
    return PERIOD_START + timedelta(hours=hours)


def quote_at(text: str, body: str, position: int, speaker: str | None, **fields) -> Quote:
    start = body.index(text)
    return Quote(position=position, kind="direct", text=text, contents=[Span(start=start, end=start + len(text), text=text)],
                 speaker=speaker, **fields)


def article(slug: str, source: str, title: str, published: datetime, relevance: float, cluster: str | None,
            stance: dict[str, str] | None = None, quotes: list[tuple[str, str | None, dict]] = (),
            fetched: datetime | None = None, category: str = "trade_press", is_relevant: bool = True) -> Article:
    quoted = " ".join(f'"{text}" said {speaker or "someone"}.' for text, speaker, _ in quotes)
    body = f"{title}. {quoted} The rest of the report follows."
    return Article(
        url=f"https://{source}.example/{slug}?utm_source=rss", canonical_url=f"https://{source}.example/{slug}",
        source_id=source, source_name=source.replace("-", " ").title(), source_category=category, title=title,
        published_at=published, fetched_at=fetched or published + timedelta(minutes=10), language="en", text=body,
        summary=f"Summary: {title}.", cluster_id=cluster, relevance=relevance, is_relevant=is_relevant,
        stance=[StanceJudgement(target_id=t, label=label, confidence=0.8) for t, label in (stance or {}).items()],
        quotes=[quote_at(text, body, n, speaker, relevance=q_fields.get("relevance", 0.8), is_relevant=True,
                         speaker_type="organization" if q_fields.get("organization") == speaker else "person",
                         **{k: v for k, v in q_fields.items() if k != "relevance"})
                for n, (text, speaker, q_fields) in enumerate(quotes)],
    )


PAY_QUOTE = "We will not let machines learn from our members' music without paying them"
ORTIZ_QUOTE = "Artists never agreed to have their uploads feed a model"
STABILITY_QUOTE = "Training on publicly available images is lawful fair use"

FIXTURE_ARTICLES = [
    # One story syndicated three times (same cluster): must become one entry listing three sources.
    article("label-deal", "music-trade-daily", "Label group signs licensing deal that pays artists for AI training", at(2), 0.93,
            "cluster-deal", {"compensation": "favor", "consent": "favor", "litigation": "neutral"},
            [(PAY_QUOTE, "Jane Roe", {"organization": "Label Group", "role": "chief executive", "relevance": 0.95})]),
    article("deal-wire", "wire-service", "Label group signs licensing deal that pays artists for AI training", at(3), 0.90,
            "cluster-deal", {"compensation": "favor"}, [(PAY_QUOTE, "Jane Roe", {"organization": "Label Group"})]),
    article("deal-copy", "city-paper", "Label group signs AI licensing deal", at(4), 0.88, "cluster-deal",
            category="general_press"),
    # A hostile headline, a followed speaker quoted in it.
    article("terms-change", "tech-ledger", HOSTILE_TITLE, at(6), 0.86, "cluster-terms",
            {"platform_terms": "favor", "consent": "favor"}, [(ORTIZ_QUOTE, "Karla Ortiz", {"role": "illustrator"})],
            category="tech_press"),
    # A continuing story: the cluster already had an article before the period.
    article("suit-day-one", "legal-brief", "Illustrators sue image generator maker", at(-48), 0.9, "cluster-suit",
            {"litigation": "favor"}, category="legal"),
    article("suit-update", "legal-brief", "Image generator maker answers illustrators' lawsuit", at(8), 0.84, "cluster-suit",
            {"litigation": "against"}, [(STABILITY_QUOTE, "Stability AI", {"organization": "Stability AI"})], category="legal"),
    # Published before the period but first fetched in it: new to readers.
    article("late-find", "policy-watch", "Regulator proposes training-data disclosure rules", at(-20), 0.7, None,
            {"transparency": "favor"}, fetched=at(10), category="policy"),
    # Left out: published weeks before the period, though fetched in it (a new source's archive).
    article("backfill", "policy-watch", "Regulator opened an inquiry into AI training last autumn", at(-24 * 60), 0.9, None,
            {"transparency": "favor"}, fetched=at(9), category="policy"),
    # Left out: not relevant, below the minimum relevance, after the period.
    article("phone", "tech-ledger", "New phone has a better camera", at(5), 0.05, "cluster-phone", is_relevant=False),
    article("weak", "tech-ledger", "AI mentioned in passing", at(5), 0.3, "cluster-weak"),
    article("tomorrow", "music-trade-daily", "Tomorrow's news on AI licensing", at(25), 0.95, "cluster-tomorrow"),
]
DEAL_TITLE = "Label group signs licensing deal that pays artists for AI training"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port(monkeypatch) -> int:
    port = free_port()
    monkeypatch.setenv("AIRFLOW_CONN_NEWSWATCH_SMTP",
                       f"smtp://127.0.0.1:{port}?disable_tls=true&disable_ssl=true&timeout=5&retry_limit=0")
    return port


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp(smtp_port):
    controller, inbox = start_smtp(smtp_port)
    yield inbox
    controller.stop()


@pytest.fixture
def corpus(es_ready, es_settings):
    indexer = make_indexer(es_settings, es_ready)
    actions = [IndexAction("quotes", q.document_id(a.id), quote_document(a, q)) for a in FIXTURE_ARTICLES for q in a.quotes]
    actions += [IndexAction("articles", a.id, article_document(a)) for a in FIXTURE_ARTICLES]
    report = indexer.index(actions, refresh=True)
    assert report.rejected == [] and report.indexed == len(actions), report.summary()
    return es_ready


@pytest.fixture
def config():
    return parse_config(CONFIG_TEXT)


def body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_digest_email_has_both_parts_merged_stories_quotes_escaping_and_links(corpus, es_settings, config, smtp):
    result = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("morning"), DIGEST_DATE,
                     AirflowSmtpSender(config.smtp_conn_id))
    assert result.status == "sent" and result.story_count == 4
    assert len(smtp.messages) == 1
    assert "Regulator opened an inquiry" not in smtp.messages[0][1].as_string()  # the backfilled page stays out
    recipients, message = smtp.messages[0]
    assert sorted(recipients) == ["desk@example.org", "editor@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == f"Newswatch digest 2026-11-20: 4 stories, 2 new statements | {DEAL_TITLE}"
    assert message["Message-ID"] == result.message_id and message["From"] == "Newswatch <digest@newswatch.example>"
    # A long header is folded on the wire; the receiver unfolds it.
    assert message["List-Unsubscribe"].strip() == "<mailto:digest@newswatch.example?subject=unsubscribe%20morning>"

    html, text = body(message, "html"), body(message, "plain")
    assert "Unsubscribe: mailto:digest@newswatch.example?subject=unsubscribe%20morning" in text
    assert "19 Nov 2026 - " in text  # each story's date beside its outlets
    # One entry for the syndicated story, listing its three sources, ranked first.
    assert html.count(f">{DEAL_TITLE}</a>") == 1
    for source in ("Music Trade Daily", "Wire Service", "City Paper"):
        assert source in html and source in text
    assert "(3 sources)" in html
    # Relevance first; the continuing lawsuit story loses to a new one of somewhat lower relevance.
    order = [text.index(t) for t in (DEAL_TITLE, "Art platform", "disclosure rules", "answers illustrators")]
    assert order == sorted(order)
    # Left out: irrelevant, below minimum relevance, after the period.
    for absent in ("New phone", "in passing", "Tomorrow's news"):
        assert absent not in html and absent not in text
    # Key quotes with speakers; the followed speaker and organisation in "New statements".
    assert f"“{escape(PAY_QUOTE)}”" in html and "Jane Roe, chief executive, Label Group" in html
    assert f'"{PAY_QUOTE}"' in text and "- Jane Roe, chief executive, Label Group" in text
    statements = html[html.index("New statements"):]
    assert "Karla Ortiz, illustrator" in statements and ORTIZ_QUOTE in statements
    assert "Stability AI" in statements and STABILITY_QUOTE in statements
    # The hostile headline shows as text.
    assert "<script>" not in html and "<b>quietly" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Art platform &lt;b&gt;quietly&lt;/b&gt;" in html
    # Links to the originals and to Kibana.
    for url in ("https://music-trade-daily.example/label-deal", "https://wire-service.example/deal-wire",
                "https://city-paper.example/deal-copy", "https://tech-ledger.example/terms-change"):
        assert f'href="{url}"' in html and url in text
    assert 'href="http://kibana.example:5601/app/discover#/?_g=' in html
    assert "cluster_id:%22cluster-deal%22" in html
    # Stance counts per target count stories, not copies.
    for target, counts in (("Compensation", "1 / 0 / 0"), ("Consent", "2 / 0 / 0"), ("Litigation", "0 / 1 / 1")):
        assert f"  {target:<16} {counts}" in text
    assert "No AI-related changes in the watched terms and policies." in html

    record = DigestRecords(corpus, es_settings.es.index_prefix).get("morning", DIGEST_DATE)
    assert record.status == "sent" and record.attempts == 1 and record.document["message_id"] == result.message_id
    assert record.document["window_start"] == "2026-11-19T06:00:00+00:00"


def test_rerunning_the_same_date_sends_nothing_more(corpus, es_settings, config, smtp):
    sender = AirflowSmtpSender(config.smtp_conn_id)
    first = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("morning"), DIGEST_DATE, sender)
    again = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("morning"), DIGEST_DATE, sender)
    assert (first.status, again.status) == ("sent", "already_sent")
    assert again.message_id == first.message_id
    assert len(smtp.messages) == 1


def test_send_with_smtp_down_fails_visibly_and_a_retry_sends_exactly_one(corpus, es_settings, config, smtp_port):
    sender = AirflowSmtpSender(config.smtp_conn_id)
    records = DigestRecords(corpus, es_settings.es.index_prefix)
    subscription = config.subscription("morning")
    with pytest.raises(DigestSendError, match="send failed"):
        deliver(corpus, es_settings.es.index_prefix, config, subscription, DIGEST_DATE, sender)
    failed = records.get("morning", DIGEST_DATE)
    assert failed.status == "failed" and failed.attempts == 1
    assert "Connection refused" in failed.document["error"] or "ConnectionRefusedError" in failed.document["error"]

    controller, inbox = start_smtp(smtp_port)
    try:
        retried = deliver(corpus, es_settings.es.index_prefix, config, subscription, DIGEST_DATE, sender)
        deliver(corpus, es_settings.es.index_prefix, config, subscription, DIGEST_DATE, sender)
    finally:
        controller.stop()
    assert retried.status == "sent" and retried.attempts == 2
    assert len(inbox.messages) == 1
    assert inbox.messages[0][1]["Message-ID"] == failed.document["message_id"]
    assert records.get("morning", DIGEST_DATE).status == "sent"


def test_empty_day_sends_a_one_line_note_or_nothing_per_subscription(corpus, es_settings, config, smtp):
    quiet_day = date(2026, 11, 25)
    sender = AirflowSmtpSender(config.smtp_conn_id)
    skipped = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("quiet-skip"), quiet_day, sender)
    notified = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("quiet-notify"), quiet_day, sender)
    assert (skipped.status, notified.status) == ("skipped", "sent")
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["notify@example.org"]
    assert message["Subject"] == "Newswatch digest 2026-11-25: nothing new"
    assert "Nothing new about AI and artists' rights in this period." in body(message, "plain")
    # A skipped day is final too: a re-run does not send it after all.
    again = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("quiet-skip"), quiet_day, sender)
    assert again.status == "already_skipped" and len(smtp.messages) == 1


def test_filters_and_the_period_since_the_last_sent_digest(corpus, es_settings, config, smtp):
    builder = ContentBuilder(corpus, es_settings.es.index_prefix, config)
    litigation = builder.build(config.subscription("litigation-only"), DIGEST_DATE)
    assert [s.title for s in litigation.stories] == ["Image generator maker answers illustrators' lawsuit"]
    assert litigation.stories[0].novelty == 0.0  # the cluster had an article before the period
    assert {c.target_id: (c.favor, c.against) for c in litigation.stance_counts} == {"litigation": (0, 1)}

    # Two days later, with the 2026-11-20 digest sent: the next one covers everything since then.
    send_digest(es_settings, "morning", DIGEST_DATE, config=config)
    later = builder.window_for(config.subscription("morning"), DIGEST_DATE + timedelta(days=2))
    assert later.start == datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
    assert later.end == datetime(2026, 11, 22, 6, tzinfo=timezone.utc)


def test_terms_section_lists_ai_related_changes_and_is_left_out_without_a_terms_index(corpus, es_settings, config):
    builder = ContentBuilder(corpus, es_settings.es.index_prefix, config)
    indexer = make_indexer(es_settings, corpus)
    versions = [("soundcloud", True, at(3)), ("bandcamp", False, at(4)), ("deviantart", True, at(30))]
    report = indexer.index([IndexAction("terms", platform, {
        "@timestamp": changed.isoformat(), "platform": platform, "document": "terms", "doc_type": "terms_of_service",
        "url": f"https://{platform}.example/terms", "version": 2, "previous_version": 1, "content_hash": platform,
        "text": "Full text.", "fetched_at": changed.isoformat(), "changed_at": changed.isoformat(),
        "ai_related": ai_related, "ai_change_kinds": ["added"] if ai_related else [],
        "ai_passages": ["You grant us a licence to use your uploads to train machine learning models."] if ai_related else [],
    }) for platform, ai_related, changed in versions], refresh=True)
    assert report.rejected == [], report.summary()
    changes = builder.build(config.subscription("morning"), DIGEST_DATE).terms_changes
    assert [(c.platform, c.document, c.url, c.change_kinds) for c in changes] == [
        ("soundcloud", "Terms of service", "https://soundcloud.example/terms", ("added",))]
    assert changes[0].passages[0].startswith("You grant us a licence")

    # A cluster whose terms watch is not installed: no section rather than an error.
    names = IndexNames(es_settings.es.index_prefix)
    corpus.indices.delete(index=names.concrete("terms", 1))
    assert builder.build(config.subscription("morning"), DIGEST_DATE).terms_changes is None


def test_digest_dag_run_sends_due_subscriptions_once_and_a_rerun_sends_nothing(
        corpus, es_settings, smtp, airflow_db, monkeypatch, tmp_path):
    from airflow.dag_processing.dagbag import DagBag

    from newswatch.core.settings import REPO_ROOT

    subscriptions = tmp_path / "subscriptions.yaml"
    # "morning" is due at 06:00 UTC (07:00 in Berlin); "evening" (18:00 in Berlin) is not.
    subscriptions.write_text(CONFIG_TEXT.split("  - name: quiet-skip")[0]
                             + "  - {name: evening, recipients: [late@example.org], timezone: Europe/Berlin, send_hour: 18}\n")
    for name, value in {"ES_URL": es_settings.es.effective_url, "NEWSWATCH_INDEX_PREFIX": es_settings.es.index_prefix,
                        "NEWSWATCH_HOME": str(es_settings.paths.home), "NEWSWATCH_SUBSCRIPTIONS": str(subscriptions)}.items():
        monkeypatch.setenv(name, value)
    dag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "newswatch_digest.py")).get_dag("newswatch_digest")
    due_hour = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)

    first = dag.test(logical_date=due_hour)
    assert first.state == "success"
    assert [recipients for recipients, _ in smtp.messages] == [["desk@example.org", "editor@example.org"]]
    assert smtp.messages[0][1]["Subject"].startswith("Newswatch digest 2026-11-20: 4 stories")

    rerun = dag.test(logical_date=due_hour)
    assert rerun.state == "success"
    assert len(smtp.messages) == 1
    assert DigestRecords(corpus, es_settings.es.index_prefix).get("morning", DIGEST_DATE).attempts == 1


def test_a_fresh_pending_claim_blocks_other_attempts_and_a_stale_one_is_sent(corpus, es_settings, config, smtp):
    from newswatch.digest.records import DigestInProgress
    from newswatch.digest.send import PENDING_LEASE

    records = DigestRecords(corpus, es_settings.es.index_prefix)
    claimed_at = datetime(2026, 11, 20, 6, 1, tzinfo=timezone.utc)
    # What a worker killed between its claim and the SMTP answer leaves behind.
    records.claim(None, {"@timestamp": claimed_at.isoformat(), "subscription": "morning", "digest_date": "2026-11-20",
                         "status": "pending", "attempts": 1, "claimed_at": claimed_at.isoformat()})
    sender = AirflowSmtpSender(config.smtp_conn_id)
    with pytest.raises(DigestInProgress):
        deliver(corpus, es_settings.es.index_prefix, config, config.subscription("morning"), DIGEST_DATE, sender,
                now=claimed_at + timedelta(minutes=1))
    assert smtp.messages == []
    result = deliver(corpus, es_settings.es.index_prefix, config, config.subscription("morning"), DIGEST_DATE, sender,
                     now=claimed_at + PENDING_LEASE + timedelta(minutes=1))
    assert result.status == "sent" and result.attempts == 2 and len(smtp.messages) == 1


@pytest.mark.fault
def test_digest_send_with_the_mail_server_down_is_one_line_and_exit_1(corpus, es_settings, smtp_port, monkeypatch, tmp_path, capsys):
    """Fault (issue 18, low): a failed `newswatch digest send` ended in a traceback."""
    from newswatch.cli import main

    config_file = tmp_path / "subscriptions.yaml"
    config_file.write_text(CONFIG_TEXT)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", es_settings.es.index_prefix)
    monkeypatch.setenv("ES_URL", es_settings.es.effective_url)
    monkeypatch.setenv("NEWSWATCH_HOME", str(tmp_path / "home"))
    code = main(["digest", "send", "--config", str(config_file), "--subscription", "morning", "--date", DIGEST_DATE.isoformat()])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
