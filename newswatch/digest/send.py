"""Build the MIME message and send it once: the digests ledger makes delivery idempotent.

For each (subscription, digest date):

1. a record whose status is ``sent`` (or ``skipped``) means done: nothing is sent again;
2. otherwise the digest is built, then claimed as ``pending`` (attempts + 1) before the
   SMTP call, and marked ``sent`` after it;
3. an SMTP failure marks it ``failed`` and raises, so the Airflow task fails visibly and
   its retry (or a later run) sends it; the Message-ID is derived from (subscription,
   date), so every attempt carries the same one.

A process killed between the SMTP call and the ``sent`` write leaves a ``pending``
record; a fresh one blocks other attempts (it may be sending right now), a stale one
(older than PENDING_LEASE) is sent again: then the mail may arrive twice, with the
same Message-ID, rather than never.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from typing import Protocol

from elasticsearch import Elasticsearch

from newswatch.core.model import utcnow
from newswatch.core.settings import Settings
from newswatch.digest.content import ContentBuilder
from newswatch.digest.records import (
    FAILED,
    FINAL_STATUSES,
    PENDING,
    SENT,
    SKIPPED,
    DigestInProgress,
    DigestRecords,
    record_id,
)
from newswatch.digest.render import RenderedDigest, render
from newswatch.digest.subscriptions import (
    DigestConfig,
    Subscription,
    SubscriptionError,
    Unsubscribe,
    load_config,
    unsubscribe_for,
)
from newswatch.indexing.connection import es_client
from newswatch.indexing.schema import setup_indices

log = logging.getLogger(__name__)

PENDING_LEASE = timedelta(minutes=15)


class DigestSendError(RuntimeError):
    """The SMTP send failed; the record says ``failed`` and a retry will send it."""


class Sender(Protocol):
    def default_from(self) -> str | None: ...

    def send(self, message: EmailMessage) -> dict: ...


class AirflowSmtpSender:
    """Sends through an Airflow SMTP connection (e.g. AIRFLOW_CONN_NEWSWATCH_SMTP) with the smtp provider's hook."""

    def __init__(self, conn_id: str):
        self.conn_id = conn_id

    def default_from(self) -> str | None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        return SmtpHook.get_connection(self.conn_id).extra_dejson.get("from_email")

    def send(self, message: EmailMessage) -> dict:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        # The hook's own send_email_smtp builds an HTML-only message; the digest needs a
        # multipart/alternative with a text part, so the hook is used for the connection
        # (host, TLS, login, timeout from the Airflow connection) and sends our message.
        with SmtpHook(smtp_conn_id=self.conn_id) as hook:
            return hook._smtp_client.send_message(message)  # noqa: SLF001 - see above


@dataclass(frozen=True)
class DeliveryResult:
    subscription: str
    digest_date: str
    status: str  # sent, skipped, already_sent, already_skipped
    message_id: str | None
    story_count: int
    attempts: int

    def as_dict(self) -> dict:
        return asdict(self)


def message_id_for(subscription: str, digest_date: date, from_email: str) -> str:
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "newswatch.invalid"
    return f"<digest.{record_id(subscription, digest_date)[:32]}@{domain}>"


def build_message(rendered: RenderedDigest, subscription: Subscription, from_email: str, message_id: str,
                  digest_date: date, now: datetime, unsubscribe: Unsubscribe | None = None) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = from_email
    message["To"] = ", ".join(subscription.recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Newswatch-Digest"] = f"{subscription.name}; {digest_date.isoformat()}"
    message["List-Id"] = f"Newswatch {subscription.name} <{subscription.name}.{message_id.rpartition('@')[2].rstrip('>')}>"
    for name, value in (unsubscribe.headers() if unsubscribe else {}).items():
        message[name] = value
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message


def _resolve_sender_address(config: DigestConfig, sender: Sender) -> str:
    from_email = config.from_email or sender.default_from()
    if not from_email or not parseaddr(from_email)[1]:
        raise SubscriptionError(
            f"no sender address: set from_email in the subscriptions file or the from_email extra of "
            f"Airflow connection {config.smtp_conn_id!r}"
        )
    return from_email


def _is_stale(record_document: dict, now: datetime) -> bool:
    claimed = record_document.get("claimed_at")
    return not claimed or now - datetime.fromisoformat(claimed) > PENDING_LEASE


def deliver(client: Elasticsearch, prefix: str, config: DigestConfig, subscription: Subscription,
            digest_date: date, sender: Sender, now: datetime | None = None) -> DeliveryResult:
    """Send the digest for (subscription, date) unless it was already sent; raise if the send fails."""
    now = now or utcnow()
    records = DigestRecords(client, prefix)
    records.require_index()
    existing = records.get(subscription.name, digest_date)
    if existing is not None and existing.status in FINAL_STATUSES:
        log.info("digest %s %s already %s: nothing to do", subscription.name, digest_date, existing.status)
        return DeliveryResult(subscription.name, digest_date.isoformat(), f"already_{existing.status}",
                              existing.document.get("message_id"), int(existing.document.get("story_count") or 0),
                              existing.attempts)
    if existing is not None and existing.status == PENDING and not _is_stale(existing.document, now):
        raise DigestInProgress(f"digest {subscription.name} {digest_date} is being sent by another attempt "
                               f"(claimed at {existing.document.get('claimed_at')})")

    content = ContentBuilder(client, prefix, config).build(subscription, digest_date)
    base = {
        "@timestamp": now.isoformat(),
        "subscription": subscription.name,
        "digest_date": digest_date.isoformat(),
        "attempts": (existing.attempts if existing else 0) + 1,
        "recipients": list(subscription.recipients),
        "window_start": content.window.start.isoformat(),
        "window_end": content.window.end.isoformat(),
        "story_count": len(content.stories),
        "statement_count": len(content.statements),
        "claimed_at": now.isoformat(),
    }
    if content.is_empty and subscription.empty_day == "skip":
        records.claim(existing, {**base, "status": SKIPPED})
        return DeliveryResult(subscription.name, digest_date.isoformat(), SKIPPED, None, 0, base["attempts"])

    from_email = _resolve_sender_address(config, sender)
    unsubscribe = unsubscribe_for(config, subscription, from_email)
    rendered = render(content, subscription, unsubscribe)
    message_id = message_id_for(subscription.name, digest_date, from_email)
    message = build_message(rendered, subscription, from_email, message_id, digest_date, now, unsubscribe)
    record = records.claim(existing, {**base, "status": PENDING, "message_id": message_id, "subject": rendered.subject})
    try:
        refused = sender.send(message)
    except Exception as exc:  # noqa: BLE001 - whatever failed, the ledger must say so before the task fails
        error = f"{type(exc).__name__}: {exc}"
        records.update(record, {"status": FAILED, "error": error})
        raise DigestSendError(f"digest {subscription.name} {digest_date}: send failed (attempt "
                              f"{base['attempts']}): {error}") from exc
    changes = {"status": SENT, "sent_at": utcnow().isoformat()}
    if refused:
        changes["error"] = "refused recipients: " + ", ".join(sorted(refused))
        log.warning("digest %s %s: %s", subscription.name, digest_date, changes["error"])
    records.update(record, changes)
    log.info("digest %s %s sent to %d recipient(s) as %s", subscription.name, digest_date,
             len(getaddresses([message["To"]])), message_id)
    return DeliveryResult(subscription.name, digest_date.isoformat(), SENT, message_id, len(content.stories),
                          base["attempts"])


def send_digest(settings: Settings, subscription_name: str, digest_date: date,
                config: DigestConfig | None = None, sender: Sender | None = None) -> DeliveryResult:
    """Entry point of the DAG task and the CLI: wiring from Settings and the subscriptions file."""
    config = config or load_config()
    subscription = config.subscription(subscription_name)
    client = es_client(settings.es)
    try:
        setup_indices(client, settings.es.index_prefix, settings.es.replicas)
        return deliver(client, settings.es.index_prefix, config, subscription, digest_date,
                       sender or AirflowSmtpSender(config.smtp_conn_id))
    finally:
        client.close()
