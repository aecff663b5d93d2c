"""Faults: credentials in URLs are never printed or stored (issue 18, case 10 and the feed-URL case)."""
from __future__ import annotations

import json

import pytest

from newswatch import cli, es_node
from newswatch.core.model import Failure
from newswatch.core.secrets import redact

pytestmark = pytest.mark.fault


def test_redact_replaces_every_url_credential():
    assert redact("https://elastic:s3cret@es.example.org:9200") == "https://***@es.example.org:9200"
    assert redact("feed https://bob@feeds.example/x failed; see http://a:b@c.example/") == "feed https://***@feeds.example/x failed; see http://***@c.example/"
    assert redact("https://es.example.org:9200/path?q=a@b") == "https://es.example.org:9200/path?q=a@b"
    assert redact(None) is None


def test_failure_records_never_store_feed_credentials():
    failure = Failure(stage="poll", error_type="http_status", error="HTTP 401 [https://user:pw@feeds.example/rss]", url="https://user:pw@feeds.example/rss")
    stored = json.dumps(failure.model_dump(mode="json"))
    assert "pw@" not in stored and "user:" not in stored
    assert failure.url == "https://***@feeds.example/rss"


def test_es_status_does_not_print_the_password(monkeypatch, capsys):
    monkeypatch.setenv("ES_URL", "https://elastic:s3cret@es.example.org:9200")
    monkeypatch.setattr(es_node, "health", lambda url: {"status": "green"})
    assert cli.main(["es", "status"]) == 0
    printed = capsys.readouterr()
    assert "s3cret" not in printed.out + printed.err
    assert "https://***@es.example.org:9200" in printed.out


@pytest.mark.parametrize("command", [["search", "consent"], ["setup"], ["api", "keys", "list"], ["sources", "status"]])
def test_an_unreachable_cluster_is_one_line_not_a_traceback(monkeypatch, capsys, command):
    """Fault (issue 18, low): search, setup and the other ES commands with the node down."""
    monkeypatch.setenv("ES_URL", "http://elastic:s3cret@127.0.0.1:9")
    monkeypatch.setenv("NEWSWATCH_ES_TIMEOUT", "2")
    code = cli.main(command)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: Elasticsearch at http://***@127.0.0.1:9 is unreachable")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_catalogue_feed_url_with_credentials_is_refused():
    """Fault (issue 18, low): credentials in a feed URL were stored in failures and sources, never sent."""
    from newswatch.feeds.catalogue import CatalogueError, catalogue_from_yaml

    text = "sources:\n  - {id: locked, name: Locked, category: trade_press, language: en, poll_interval_minutes: 30, feeds: ['https://user:pw@feeds.example/rss']}\n"
    with pytest.raises(CatalogueError, match="credentials in a URL are refused"):
        catalogue_from_yaml(text, origin="sources.yaml")
