"""Subscriptions file validation, due-hour planning and the digest DAG's shape (no server needed)."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest

from newswatch.core.settings import REPO_ROOT
from newswatch.digest.content import digest_window
from newswatch.digest.subscriptions import (
    DEFAULT_CONFIG_PATH,
    SubscriptionError,
    due_at,
    load_config,
    parse_config,
)

VALID = """
smtp_conn_id: newswatch_smtp
from_email: digest@example.org
subscriptions:
  - name: berlin-morning
    recipients: [a@example.org]
    timezone: Europe/Berlin
    send_hour: 7
    filters: {stance_targets: [consent], categories: [trade_press], min_relevance: 0.6}
  - name: la-morning
    recipients: [b@example.org, c@example.org]
    timezone: America/Los_Angeles
    send_hour: 7
    empty_day: skip
"""


def test_shipped_subscriptions_file_is_valid():
    config = load_config(DEFAULT_CONFIG_PATH)
    assert config.smtp_conn_id == "newswatch_smtp"
    assert len(config.subscriptions) >= 2
    assert {s.empty_day for s in config.subscriptions} == {"nothing_new", "skip"}


def test_valid_file_loads_with_defaults():
    config = parse_config(VALID)
    berlin = config.subscription("berlin-morning")
    assert berlin.filters.stance_targets == ("consent",)
    assert berlin.filters.min_relevance == 0.6
    assert berlin.format == "html+text" and berlin.empty_day == "nothing_new"
    assert config.subscription("la-morning").recipients == ("b@example.org", "c@example.org")


def test_every_problem_is_reported_with_subscription_and_field():
    text = """
subscriptions:
  - name: broken
    recipients: [not-an-address]
    timezone: Europe/Atlantis
    send_hour: 24
    empty_day: sometimes
    filters: {stance_targets: [consnt], categories: [blogs], min_relevance: 1.5, follow: [x]}
  - name: fine
    recipients: [ok@example.org]
  - name: fine
    recipients: [ok@example.org]
"""
    with pytest.raises(SubscriptionError) as error:
        parse_config(text, source="subs.yaml")
    message = str(error.value)
    assert message.startswith("subs.yaml: invalid subscriptions")
    for expected in [
        "subscription 'broken': recipients: 'not-an-address' is not one email address",
        "subscription 'broken': timezone: unknown time zone 'Europe/Atlantis'",
        "subscription 'broken': send_hour:",
        "subscription 'broken': empty_day:",
        "subscription 'broken': filters.stance_targets: unknown stance target(s) 'consnt'",
        "subscription 'broken': filters.categories: unknown categor(ies) 'blogs'",
        "subscription 'broken': filters.min_relevance:",
        "subscription 'broken': filters.follow: Extra inputs are not permitted",
        "subscription 'fine': name: used more than once",
    ]:
        assert expected in message, expected


@pytest.mark.parametrize("text, expected", [
    ("[1, 2]", "expected a mapping"),
    ("subscriptions: []", "'subscriptions' must be a non-empty list"),
    ("subscriptions: [\n  - name: x\n    recipients: [", "not valid YAML"),
    ("subscriptions:\n  - [a]\n", "subscription #1: must be a mapping"),
])
def test_malformed_files_give_one_clear_error(text, expected):
    with pytest.raises(SubscriptionError, match="invalid|expected|must|YAML") as error:
        parse_config(text)
    assert expected in str(error.value)


def test_due_at_uses_each_subscriptions_own_time_zone():
    config = parse_config(VALID)
    # 06:00 UTC in November is 07:00 in Berlin (CET) and 22:00 the day before in Los Angeles.
    assert [d.as_dict() for d in due_at(config, datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc))] == [
        {"subscription": "berlin-morning", "digest_date": "2026-11-20"}]
    # 15:30 UTC is 07:30 in Los Angeles (PST): due for its local date.
    assert [d.as_dict() for d in due_at(config, datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc))] == [
        {"subscription": "la-morning", "digest_date": "2026-11-20"}]
    # In July Berlin is on summer time: 07:00 local is 05:00 UTC.
    assert [d.subscription for d in due_at(config, datetime(2026, 7, 1, 5, 0, tzinfo=timezone.utc))] == ["berlin-morning"]
    assert due_at(config, datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(config, datetime(2026, 11, 20, 6, 0))


def test_window_covers_the_day_before_the_send_time_or_since_the_last_sent_digest():
    berlin = parse_config(VALID).subscription("berlin-morning")
    end = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
    week = timedelta(days=7)
    plain = digest_window(berlin, date(2026, 11, 20), None, week)
    assert (plain.start, plain.end) == (end - timedelta(days=1), end)
    # The previous digest went out three days ago (outage): everything since then is covered.
    after_gap = digest_window(berlin, date(2026, 11, 20), end - timedelta(days=3), week)
    assert after_gap.start == end - timedelta(days=3)
    # Older than the look-back limit: back to one day.
    too_old = digest_window(berlin, date(2026, 11, 20), end - timedelta(days=30), week)
    assert too_old.start == end - timedelta(days=1)


def test_digest_dag_is_hourly_with_one_mapped_send_per_due_subscription():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "newswatch_digest.py"))
    assert bag.import_errors == {}
    dag = bag.dags["newswatch_digest"]
    assert dag.timetable.expression == "0 * * * *"
    assert {t.task_id for t in dag.tasks} == {"due_subscriptions", "send_digest"}
    send = dag.get_task("send_digest")
    assert type(send).__name__.endswith("MappedOperator")
    assert [t.task_id for t in send.upstream_list] == ["due_subscriptions"]
    for task in dag.tasks:
        assert task.owner == "newswatch"
        assert task.retries >= 1
        assert task.retry_exponential_backoff
    assert "newswatch" in dag.tags


def test_importing_the_digest_dag_loads_neither_elasticsearch_nor_the_digest_package():
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(REPO_ROOT / 'dags' / 'newswatch_digest.py')!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(sorted(m for m in ('elasticsearch', 'digest', 'torch') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ), check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_cli_validate_lists_subscriptions_and_reports_errors_without_a_traceback(tmp_path, capsys):
    from newswatch.cli import main

    good = tmp_path / "good.yaml"
    good.write_text(VALID)
    assert main(["digest", "validate", "--config", str(good)]) == 0
    assert "berlin-morning: 1 recipient(s), 07:00 Europe/Berlin, html+text, empty day: nothing_new" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("subscriptions:\n  - {name: x, recipients: [nobody]}\n")
    assert main(["digest", "validate", "--config", str(bad)]) == 2
    assert "subscription 'x': recipients: 'nobody' is not one email address" in capsys.readouterr().err
    assert main(["digest", "preview", "--config", str(good), "--subscription", "berlin-morning", "--date", "20-11-2026"]) == 2
    assert "digest date must be YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.fault
@pytest.mark.parametrize("entry", ["a@example.org,bcc@evil.example", "a@example.org; b@example.org", "a@b@example.org"])
def test_one_recipient_entry_is_one_mailbox(entry):
    """Fault (issue 18, low): an entry smuggling a second address must not validate."""
    text = f"subscriptions:\n  - name: smuggled\n    recipients: ['{entry}']\n"
    with pytest.raises(SubscriptionError, match="is not one email address"):
        parse_config(text, source="subs.yaml")
