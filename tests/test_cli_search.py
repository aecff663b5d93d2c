"""`newswatch search` against the real Elasticsearch: filters, story grouping and the three outputs."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timezone

import pytest
from test_api_fixtures import corpus

from newswatch import cli
from newswatch.commands.search import UsageError, parse_when
from newswatch.core.model import Article
from newswatch.indexing.connection import es_client
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import setup_indices
from newswatch.indexing.store import write_articles
from newswatch.query_api.models import ArticleOut
from newswatch.query_api.stories import group_into_stories
from newswatch_lab.api_bench import drop_prefix

WHOLE_CORPUS = ["--since", "2025-01-01", "--until", "2025-12-31"]


def syndicated_corpus() -> list[Article]:
    """The API corpus, each article its own story, plus a BBC copy of the illustrators' lawsuit story."""
    articles = [a.model_copy(update={"cluster_id": f"story-{a.content_hash}"}) for a in corpus()]
    demand = next(a for a in articles if a.content_hash == "opt-out-tools")
    demand.quotes[0] = demand.quotes[0].model_copy(update={"speech_act": "demand"})
    original = next(a for a in articles if a.content_hash == "artists-sue")
    copy_url = "https://bbc.example/artists-sue-copy"
    copy = original.model_copy(update={
        "url": copy_url, "canonical_url": copy_url, "source_id": "bbc", "source_name": "BBC News",
        "content_hash": "artists-sue-copy", "quotes": [q.model_copy() for q in original.quotes],
    })
    return [*articles, copy]


@pytest.fixture(scope="module")
def search_prefix(es_base_settings):
    settings = es_base_settings.with_es(index_prefix=f"nwt-cli-{uuid.uuid4().hex[:8]}")
    client = es_client(settings.es)
    setup_indices(client, settings.es.index_prefix)
    articles = syndicated_corpus()
    report = write_articles(make_indexer(settings, client), articles, refresh=True)
    assert not report.rejected, report.summary()
    client.indices.refresh(index=f"{settings.es.index_prefix}-*")
    yield settings
    drop_prefix(client, settings.es.index_prefix)
    client.close()


@pytest.fixture
def run_search(search_prefix, monkeypatch, capsys):
    monkeypatch.setenv("ES_URL", search_prefix.es.url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", search_prefix.es.index_prefix)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["search", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def json_stories(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.integration
def test_copies_of_a_story_are_one_result_listing_every_outlet(run_search):
    code, out, _ = run_search("illustrators sue", *WHOLE_CORPUS, "--json")
    assert code == 0
    stories = json_stories(out)
    assert len(stories) == 1
    assert sorted(stories[0]["outlets"]) == ["BBC News", "The Guardian"]
    assert len(stories[0]["copies"]) == 2
    assert stories[0]["article"]["published_at"].startswith("2025-03-03")
    assert stories[0]["score"] > 0


@pytest.mark.integration
def test_the_table_shows_date_outlets_score_summary_and_stance(run_search):
    code, out, _ = run_search("illustrators sue", *WHOLE_CORPUS)
    assert code == 0
    assert "1 stories from 2 matching articles, published 2025-01-01 to 2025-12-31" in out
    first = out.split("\n\n")[1]
    assert first.lstrip().startswith("1. 2025-03-03  Illustrators sue image generator over training data  score ")
    assert "portfolios were copied" in first
    assert "outlets: " in first and "BBC News" in first and "The Guardian" in first
    assert "stance: consent:against" in first


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--target", "consent", "--label", "against"], {"artists-sue", "silent-album", "opt-out-tools"}),
        (["--source", "bbc"], {"consultation", "football", "artists-sue"}),
        (["--org", "writers union"], {"consultation", "silent-album"}),
        (["--speaker", "MARA LINDQVIST"], {"artists-sue", "opt-out-tools"}),
        (["--min-relevance", "0.85"], {"artists-sue", "consultation", "silent-album", "opt-out-tools"}),
        (["--since", "2025-04-01", "--until", "2025-04-30"], {"consultation", "silent-album"}),
    ],
)
def test_each_filter_narrows_the_stories(run_search, argv, expected):
    dates = [] if "--since" in argv else WHOLE_CORPUS
    code, out, _ = run_search(*argv, *dates, "--json", "--size", "50")
    assert code == 0
    assert {s["article"]["url"].rsplit("/", 1)[1].removesuffix("-copy") for s in json_stories(out)} == expected


@pytest.mark.integration
def test_quotes_match_quote_text_and_group_syndicated_copies(run_search):
    code, out, _ = run_search("--quotes", "portfolios", *WHOLE_CORPUS, "--json")
    assert code == 0
    stories = json_stories(out)
    assert len(stories) == 1, "the quote carried by two outlets is one result"
    assert stories[0]["quote"]["speaker"] == "Mara Lindqvist"
    assert sorted(stories[0]["outlets"]) == ["BBC News", "The Guardian"]
    # 'opt-out' is in an article title whose quote never says it: quotes match their own text unless --titles.
    _, own_text, _ = run_search("--quotes", "welcome", *WHOLE_CORPUS, "--json")
    _, with_titles, _ = run_search("--quotes", "welcome", "--titles", *WHOLE_CORPUS, "--json")
    assert json_stories(own_text) == []
    assert [s["quote"]["speaker"] for s in json_stories(with_titles)] == ["Mara Lindqvist"]


@pytest.mark.integration
def test_a_quote_keeps_its_speech_act_through_the_index(run_search):
    _, out, _ = run_search("--quotes", "consent must come first", *WHOLE_CORPUS, "--json")
    assert [s["quote"]["speech_act"] for s in json_stories(out)] == ["demand"]


@pytest.mark.integration
def test_csv_has_one_row_per_story_with_outlets_and_confidence(run_search):
    code, out, _ = run_search("--quotes", "--speaker", "daniel okafor", *WHOLE_CORPUS, "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and {r["speaker"] for r in rows} == {"Daniel Okafor"}
    assert all(r["stance_confidence"] == "consent:0.90" for r in rows)
    assert all(r["outlets"] and r["score"] == "" for r in rows), "no query: sorted by date, no score"


@pytest.mark.integration
def test_the_default_period_is_the_last_seven_days_and_says_how_to_widen_it(run_search):
    code, out, _ = run_search("illustrators")
    assert code == 0
    assert out.startswith("0 stories from 0 matching articles")
    assert "widen the period with --since" in out


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--target", "copyright"], "unknown target 'copyright'; known targets: consent"),
        (["--since", "last tuesday"], "not a date: 'last tuesday'"),
        (["field:value"], "query: Value error, query syntax ':' is not supported"),
        (["--min-relevance", "2"], "--min_relevance: Input should be less than or equal to 1"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(run_search, argv, message):
    code, out, err = run_search(*argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_relative_and_absolute_dates():
    now = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
    assert parse_when("30d", now) == datetime(2026, 11, 7, 12, tzinfo=timezone.utc)
    assert parse_when("2026-11-30", now) == datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert parse_when("2026-11-30T08:00+01:00", now).utcoffset().total_seconds() == 3600
    with pytest.raises(UsageError):
        parse_when("yesterday", now)


def test_grouping_keeps_rank_order_and_every_outlet():
    hits = [
        ArticleOut(id="a", cluster_id="s1", source_name="One", score=3.0),
        ArticleOut(id="b", cluster_id="s2", source_name="Two", score=2.0),
        ArticleOut(id="c", cluster_id="s1", source_name="Three", score=1.0),
        ArticleOut(id="d", cluster_id=None, source_name="Four", score=0.5),
    ]
    stories = group_into_stories(hits, lambda a: a.cluster_id or a.id, limit=2)
    assert [s.lead.id for s in stories] == ["a", "b"]
    assert stories[0].outlets == ["One", "Three"] and [m.id for m in stories[0].members] == ["a", "c"]
