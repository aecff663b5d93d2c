"""``newswatch digest ...``: validate subscriptions, preview, screenshot and send digests by hand."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newswatch.core.settings import Settings
from newswatch.digest.subscriptions import (
    SubscriptionError,
    load_config,
    parse_digest_date,
    unsubscribe_for,
)


def _write_preview(args: argparse.Namespace) -> tuple[Path, Path | None]:
    from newswatch.digest.content import ContentBuilder
    from newswatch.digest.render import render
    from newswatch.indexing.connection import es_client

    settings = Settings.from_env()
    config = load_config(args.config)
    subscription = config.subscription(args.subscription)
    digest_date = parse_digest_date(args.date)
    client = es_client(settings.es)
    try:
        content = ContentBuilder(client, settings.es.index_prefix, config).build(subscription, digest_date)
    finally:
        client.close()
    rendered = render(content, subscription, unsubscribe_for(config, subscription, config.from_email))
    out_dir = Path(args.out) if args.out else settings.paths.home / "digests"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{subscription.name}-{digest_date.isoformat()}"
    text_path = out_dir / f"{stem}.txt"
    text_path.write_text(f"Subject: {rendered.subject}\n\n{rendered.text}", encoding="utf-8")
    html_path = None
    if rendered.html is not None:
        html_path = out_dir / f"{stem}.html"
        html_path.write_text(rendered.html, encoding="utf-8")
    return text_path, html_path


def _preview(args: argparse.Namespace) -> int:
    text_path, html_path = _write_preview(args)
    print(text_path)
    if html_path:
        print(html_path)
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from newswatch.digest.screenshot import ScreenshotError, screenshot

    _, html_path = _write_preview(args)
    if html_path is None:
        print(f"error: subscription {args.subscription!r} is text-only: no HTML to screenshot", file=sys.stderr)
        return 2
    try:
        shots = screenshot(html_path, html_path.parent)
    except ScreenshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(html_path)
    for path in shots.values():
        print(path)
    return 0


def _send(args: argparse.Namespace) -> int:
    from newswatch.digest.send import DigestSendError, send_digest

    try:
        result = send_digest(Settings.from_env(), args.subscription, parse_digest_date(args.date), config=load_config(args.config))
    except DigestSendError as exc:
        # Recorded as failed in the digests index, retried by the next run: say so in one line.
        print(f"error: {exc} (recorded; the next run retries it)", file=sys.stderr)
        return 1
    print(json.dumps(result.as_dict()))
    return 0


def _validate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    for subscription in config.subscriptions:
        print(f"{subscription.name}: {len(subscription.recipients)} recipient(s), {subscription.send_hour:02d}:00 "
              f"{subscription.timezone}, {subscription.format}, empty day: {subscription.empty_day}")
    return 0


def _guarded(handler):
    # Configuration mistakes are reported as one clear message, not a traceback.
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (SubscriptionError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return run


def register(commands: argparse._SubParsersAction) -> None:
    digest = commands.add_parser("digest", help="daily digest emails: validate, preview, screenshot, send")
    actions = digest.add_subparsers(dest="digest_action", required=True)

    def with_target(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--subscription", required=True, help="subscription name from the subscriptions file")
        parser.add_argument("--date", required=True, help="digest date, YYYY-MM-DD (in the subscription's time zone)")
        parser.add_argument("--config", default=None, help="subscriptions file (default NEWSWATCH_SUBSCRIPTIONS or config/subscriptions.yaml)")

    preview = actions.add_parser("preview", help="write the digest's HTML and text to files (sends nothing)")
    with_target(preview)
    preview.add_argument("--out", default=None, help="output folder (default $NEWSWATCH_HOME/digests)")
    preview.set_defaults(handler=_guarded(_preview))

    shot = actions.add_parser("screenshot", help="preview, then PNG screenshots at phone and desktop widths (headless Chromium)")
    with_target(shot)
    shot.add_argument("--out", default=None, help="output folder (default $NEWSWATCH_HOME/digests)")
    shot.set_defaults(handler=_guarded(_screenshot))

    send = actions.add_parser("send", help="send one digest now through the Airflow SMTP connection (never twice)")
    with_target(send)
    send.set_defaults(handler=_guarded(_send))

    validate = actions.add_parser("validate", help="check the subscriptions file and list its subscriptions")
    validate.add_argument("--config", default=None)
    validate.set_defaults(handler=_guarded(_validate))
