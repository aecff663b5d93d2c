"""Digest subscriptions: who gets which digest, when, and filtered how.

Subscriptions live in a YAML file (default ``config/subscriptions.yaml``, or
NEWSWATCH_SUBSCRIPTIONS). Loading validates every subscription and reports each
problem as ``subscription 'NAME': field.path: message``, so a typo fails at
start-up with a readable message instead of as a silent wrong email.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newswatch.core.config_files import load_yaml_mapping, validation_problems
from newswatch.core.settings import DigestSettings, Settings
from newswatch.enrichment.profile import load_profile
from newswatch.feeds.catalogue import CATEGORIES

DEFAULT_CONFIG_PATH = DigestSettings.subscriptions_file
DEFAULT_SMTP_CONN_ID = "newswatch_smtp"
_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SubscriptionError(ValueError):
    """The subscriptions file is missing or invalid; the message lists every problem."""


def _clean_strings(values: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(" ".join(v.split()) for v in values)
    if any(not v for v in cleaned):
        raise ValueError("must not contain empty entries")
    return cleaned


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A story matches when it takes a side (favor or against) on one of these targets; empty: any story.
    stance_targets: tuple[str, ...] = ()
    # A story matches when it comes from one of these source ids OR one of these categories; both empty: any.
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Quotes by these people or organisations fill the "New statements" section (matched case-insensitively).
    follow_speakers: tuple[str, ...] = ()
    follow_organizations: tuple[str, ...] = ()
    min_relevance: float = Field(default=0.5, ge=0.0, le=1.0)

    _strings = field_validator(
        "stance_targets", "sources", "categories", "follow_speakers", "follow_organizations"
    )(_clean_strings)

    @field_validator("stance_targets")
    @classmethod
    def _known_targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = load_profile().target_ids
        unknown = [t for t in value if t not in known]
        if unknown:
            raise ValueError(f"unknown stance target(s) {', '.join(map(repr, unknown))} (known: {', '.join(known)})")
        return value

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categor(ies) {', '.join(map(repr, unknown))} (known: {', '.join(CATEGORIES)})")
        return value


class Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    recipients: tuple[str, ...]
    timezone: str = "UTC"
    send_hour: int = Field(default=7, ge=0, le=23)
    filters: Filters = Field(default_factory=Filters)
    format: Literal["html+text", "text"] = "html+text"
    empty_day: Literal["nothing_new", "skip"] = "nothing_new"
    max_stories: int = Field(default=10, ge=1, le=50)
    max_statements: int = Field(default=8, ge=0, le=50)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME_PATTERN.match(value):
            raise ValueError(f"{value!r} must be lowercase letters, digits, '-' or '_'")
        return value

    @field_validator("recipients")
    @classmethod
    def _valid_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one recipient is required")
        for address in value:
            _, parsed = parseaddr(address)
            local, at, domain = parsed.partition("@")
            # One entry, one mailbox: "a@x.org,bcc@evil.example" would be one entry mailing two.
            several = any(mark in address for mark in ",;") or address.count("@") != 1
            if several or not (local and at and "." in domain) or any(c.isspace() for c in address.strip()):
                raise ValueError(f"{address!r} is not one email address")
        return tuple(a.strip() for a in value)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def send_time(self, digest_date: date) -> datetime:
        """The moment (UTC) the digest for ``digest_date`` is due: the end of the period it covers."""
        local = datetime(digest_date.year, digest_date.month, digest_date.day, self.send_hour, tzinfo=self.zone)
        return local.astimezone(timezone.utc)


class DigestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID
    # Sender; empty: the SMTP connection's ``from_email`` extra.
    from_email: str | None = None
    # Kibana base URL for the "open in Kibana" links; NEWSWATCH_KIBANA_URL overrides it; empty: no such links.
    kibana_url: str | None = None
    # Where readers unsubscribe ("{subscription}" becomes the subscription's name): an https page, which also
    # gets one-click unsubscription (RFC 8058), and/or a mailbox (default: the sender) that receives
    # "unsubscribe NAME" mails. Every digest carries the link and a List-Unsubscribe header.
    unsubscribe_url: str | None = Field(default=None, pattern=r"^https://\S+$")
    unsubscribe_email: str | None = None
    # How far back "since the last sent digest" may reach after an outage.
    max_lookback_days: int = Field(default=7, ge=1, le=60)
    subscriptions: tuple[Subscription, ...]

    @property
    def effective_kibana_url(self) -> str | None:
        return self.kibana_url.rstrip("/") if self.kibana_url else None

    def subscription(self, name: str) -> Subscription:
        for subscription in self.subscriptions:
            if subscription.name == name:
                return subscription
        known = ", ".join(s.name for s in self.subscriptions) or "none"
        raise SubscriptionError(f"no subscription named {name!r} (known: {known})")


@dataclass(frozen=True)
class Unsubscribe:
    """How a reader leaves one subscription: a mailto link, and a web page when one is configured."""

    mailto: str | None
    url: str | None

    @property
    def link(self) -> str | None:
        return self.url or self.mailto

    def headers(self) -> dict[str, str]:
        targets = [f"<{target}>" for target in (self.mailto, self.url) if target]
        headers = {"List-Unsubscribe": ", ".join(targets)} if targets else {}
        if self.url:
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return headers


def unsubscribe_for(config: DigestConfig, subscription: Subscription, from_email: str | None) -> Unsubscribe:
    address = parseaddr(config.unsubscribe_email or from_email or "")[1]
    mailto = f"mailto:{address}?subject={quote(f'unsubscribe {subscription.name}')}" if "@" in address else None
    url = config.unsubscribe_url.replace("{subscription}", quote(subscription.name)) if config.unsubscribe_url else None
    return Unsubscribe(mailto, url)


def parse_config(text: str, source: str = "<string>") -> DigestConfig:
    """Validate subscriptions YAML; raises SubscriptionError naming each subscription and field at fault."""
    data = load_yaml_mapping(text, source, SubscriptionError, "a mapping with a 'subscriptions' list")
    raw_subscriptions = data.get("subscriptions")
    if not isinstance(raw_subscriptions, list) or not raw_subscriptions:
        raise SubscriptionError(f"{source}: 'subscriptions' must be a non-empty list")

    # Each subscription is validated on its own so every message can name the one at fault.
    problems: list[str] = []
    subscriptions: list[Subscription] = []
    for position, raw in enumerate(raw_subscriptions):
        label = f"subscription #{position + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            label = f"subscription {raw['name']!r}"
        if not isinstance(raw, dict):
            problems.append(f"  {label}: must be a mapping, got {type(raw).__name__}")
            continue
        try:
            subscriptions.append(Subscription.model_validate(raw))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, f"{label}: "))
    names = [raw.get("name") for raw in raw_subscriptions if isinstance(raw, dict) and isinstance(raw.get("name"), str)]
    problems.extend(f"  subscription {n!r}: name: used more than once" for n in sorted({n for n in names if names.count(n) > 1}))

    settings = {key: value for key, value in data.items() if key != "subscriptions"}
    try:
        DigestConfig.model_validate({**settings, "subscriptions": ()})
    except ValidationError as exc:
        problems.extend(validation_problems(exc))
    if problems:
        raise SubscriptionError(f"{source}: invalid subscriptions\n" + "\n".join(problems))
    return DigestConfig.model_validate({**settings, "subscriptions": subscriptions})


def load_config(path: str | os.PathLike[str] | None = None, digest: DigestSettings | None = None) -> DigestConfig:
    """The subscriptions file (``path``, else NEWSWATCH_SUBSCRIPTIONS), with NEWSWATCH_KIBANA_URL applied."""
    digest = digest or Settings.from_env().digest
    resolved = Path(path or digest.subscriptions_file)
    try:
        text = resolved.read_text(encoding="utf-8")
    except OSError as exc:
        raise SubscriptionError(f"cannot read subscriptions file {resolved}: {exc}") from exc
    config = parse_config(text, source=str(resolved))
    return config.model_copy(update={"kibana_url": digest.kibana_url}) if digest.kibana_url else config


@dataclass(frozen=True)
class DueDigest:
    subscription: str
    digest_date: date

    def as_dict(self) -> dict:
        return {"subscription": self.subscription, "digest_date": self.digest_date.isoformat()}


def due_at(config: DigestConfig, moment: datetime) -> list[DueDigest]:
    """Subscriptions whose send hour, in their own time zone, is the hour containing ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    due = []
    for subscription in config.subscriptions:
        local = moment.astimezone(subscription.zone)
        if local.hour == subscription.send_hour:
            due.append(DueDigest(subscription.name, local.date()))
    return due


def parse_digest_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"digest date must be YYYY-MM-DD, got {text!r}") from exc
