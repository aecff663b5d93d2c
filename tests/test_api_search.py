"""Query API against the real Elasticsearch: every filter, aggregation, pagination and export."""
from __future__ import annotations

import csv
import io
import json

import pytest
from test_api_fixtures import FIXED_NOW, api_world, make_config  # noqa: F401  (api_world is a fixture)

pytestmark = pytest.mark.integration

ALL = {"artists-sue", "licensing-deal", "consultation", "silent-album", "fair-use", "football", "delay", "opt-out-tools"}


@pytest.fixture(scope="module")
def http(api_world):
    return api_world.http(key=api_world.key())


def slugs(items: list[dict]) -> set[str]:
    return {item["url"].rsplit("/", 1)[1] for item in items}


def article_slugs(http, **params) -> set[str]:
    response = http.get("/v1/articles", params={"size": 50, **params})
    assert response.status_code == 200, response.text
    return slugs(response.json()["items"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ALL),
        ({"q": "portfolios"}, {"artists-sue"}),
        ({"q": "illustrators -sue"}, {"opt-out-tools"}),
        ({"q": '"opt-out tools"'}, {"opt-out-tools"}),
        ({"q": "exemption | lawful"}, {"consultation", "silent-album", "fair-use", "delay"}),
        ({"speaker": "mara LINDQVIST"}, {"artists-sue", "opt-out-tools"}),
        ({"organization": "writers union"}, {"consultation", "silent-album"}),
        ({"target": "consent", "label": "against"}, {"artists-sue", "silent-album", "opt-out-tools"}),
        ({"target": "litigation"}, {"consultation", "silent-album", "delay", "opt-out-tools"}),
        ({"label": "favor"}, {"licensing-deal", "fair-use"}),
        ({"source": "bbc"}, {"consultation", "football"}),
        ({"source": ["bbc", "verge"]}, {"consultation", "football", "licensing-deal", "fair-use", "opt-out-tools"}),
        ({"from": "2025-04-01", "to": "2025-04-30T23:59:59Z"}, {"consultation", "silent-album"}),
        ({"min_relevance": 0.85}, {"artists-sue", "consultation", "silent-album", "opt-out-tools"}),
        ({"relevant_only": "true"}, ALL - {"football"}),
        ({"q": "illustrators", "source": "verge", "target": "consent"}, {"opt-out-tools"}),
    ],
)
def test_each_article_filter_returns_the_expected_articles(http, params, expected):
    assert article_slugs(http, **params) == expected


@pytest.mark.parametrize(
    "params, expected_speakers",
    [
        ({"speaker": "daniel okafor"}, ["Daniel Okafor"] * 3),
        ({"organization": "Illustrators Guild"}, ["Mara Lindqvist"] * 2),
        ({"q": "lawful"}, ["Daniel Okafor"]),
        ({"q": "priya"}, ["Priya Raman"] * 2),  # speaker names are searchable text too
        ({"target": "litigation", "label": "neutral"}, ["Tom Becker"]),
        ({"source": "bbc"}, ["Priya Raman"]),
    ],
)
def test_each_quote_filter_returns_the_expected_quotes(http, params, expected_speakers):
    response = http.get("/v1/quotes", params={"size": 50, **params})
    assert response.status_code == 200, response.text
    assert sorted(q["speaker"] for q in response.json()["items"]) == expected_speakers


def test_results_carry_summary_quotes_and_link_but_not_full_text(http, api_world):
    item = http.get("/v1/articles", params={"q": "portfolios"}).json()["items"][0]
    assert item["id"] == api_world.article_id("artists-sue")
    assert item["url"] == "https://guardian.example/artists-sue"
    assert item["summary"].startswith("A guild of illustrators")
    assert [q["speaker"] for q in item["quotes"]] == ["Mara Lindqvist", "Daniel Okafor"]
    assert item["quotes"][0]["stance"] == [{"target_id": "consent", "label": "against", "confidence": 0.9}]
    assert item["text"] is None
    assert "FULL TEXT" not in json.dumps(http.get("/v1/articles", params={"size": 50}).json())


def test_full_text_is_returned_only_when_configured(api_world):
    http = api_world.http(make_config(include_full_text=True), key=api_world.key())
    item = http.get("/v1/articles", params={"q": "portfolios"}).json()["items"][0]
    assert item["text"].startswith("FULL TEXT OF artists-sue")


def test_semantic_search_ranks_the_closest_article_first_and_applies_filters(http):
    response = http.get("/v1/articles/semantic", params={"q": "illustrators sue image generator", "size": 3})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert slugs(items[:1]) == {"artists-sue"}
    assert len(items) == 3
    filtered = http.get("/v1/articles/semantic", params={"q": "illustrators sue image generator", "source": "verge"}).json()
    assert slugs(filtered["items"][:1]) == {"opt-out-tools"}
    assert {i["source_id"] for i in filtered["items"]} == {"verge"}


def test_stance_over_time_counts_per_target_and_month(http):
    response = http.get("/v1/stats/stance", params={"interval": "month", "target": "consent", "from": "2025-01-01"})
    assert response.status_code == 200, response.text
    series = response.json()["series"]
    assert [s["target"] for s in series] == ["consent"]
    points = {p["date"][:7]: p["counts"] for p in series[0]["points"]}
    assert points == {
        "2025-03": {"against": 1, "favor": 1},
        "2025-04": {"against": 1},
        "2025-05": {"favor": 1},
        "2025-06": {"against": 1},
    }


def test_stance_over_time_without_target_has_a_series_per_target_and_counts_quotes(http):
    articles = http.get("/v1/stats/stance", params={"interval": "month"}).json()
    assert [s["target"] for s in articles["series"]] == ["consent", "litigation"]
    quotes = http.get("/v1/stats/stance", params={"interval": "month", "index": "quotes", "target": "litigation"})
    points = {p["date"][:7]: p["counts"] for p in quotes.json()["series"][0]["points"]}
    assert points == {"2025-04": {"against": 1}, "2025-06": {"neutral": 1, "against": 1}}


def test_top_speakers_organisations_and_sources(http):
    speakers = http.get("/v1/stats/top/speakers").json()["entries"]
    assert [(e["value"], e["count"]) for e in speakers][:1] == [("Daniel Okafor", 3)]
    assert {e["value"]: e["count"] for e in speakers} == {
        "Daniel Okafor": 3, "Mara Lindqvist": 2, "Priya Raman": 2, "Tom Becker": 1,
    }
    assert speakers[0]["label"] == "Synthetica AI"
    assert speakers[0]["stance"] == {"consent:favor": 3}
    organizations = http.get("/v1/stats/top/organizations", params={"target": "consent", "label": "against"}).json()
    assert {e["value"]: e["count"] for e in organizations["entries"]} == {"Illustrators Guild": 2, "Writers Union": 1}
    sources = http.get("/v1/stats/top/sources", params={"relevant_only": "true"}).json()["entries"]
    assert {(e["value"], e["label"], e["count"]) for e in sources} == {
        ("guardian", "The Guardian", 3), ("verge", "The Verge", 3), ("bbc", "BBC News", 1),
    }


def _all_pages(http, path: str, params: dict) -> tuple[list[str], int]:
    ids, cursor, pages = [], None, 0
    while True:
        response = http.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        ids.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_cursor_pagination_visits_every_article_once_in_order(http, sort):
    params = {"size": 3, "sort": sort, "q": "the | a | of" if sort == "relevance" else None}
    params = {k: v for k, v in params.items() if v is not None}
    everything = http.get("/v1/articles", params={**params, "size": 50}).json()["items"]
    ids, pages = _all_pages(http, "/v1/articles", params)
    assert ids == [item["id"] for item in everything]
    assert len(ids) == len(set(ids)) and pages >= 3
    assert _all_pages(http, "/v1/articles", params)[0] == ids  # stable when repeated


def test_quote_pagination_is_complete_without_duplicates(http):
    ids, _ = _all_pages(http, "/v1/quotes", {"size": 2})
    assert len(ids) == len(set(ids)) == 8


def test_cursor_keeps_the_time_window_of_the_first_page(api_world):
    clock = {"now": FIXED_NOW}
    http = api_world.http(key=api_world.key(), now=lambda: clock["now"])
    first = http.get("/v1/articles", params={"size": 3}).json()
    clock["now"] = FIXED_NOW.replace(year=2027)  # the default window would now exclude the corpus
    second = http.get("/v1/articles", params={"size": 3, "cursor": first["next_cursor"]})
    assert second.status_code == 200
    assert len(second.json()["items"]) == 3


def test_cursor_from_another_query_or_tampered_is_refused(http):
    cursor = http.get("/v1/articles", params={"size": 2}).json()["next_cursor"]
    other = http.get("/v1/articles", params={"size": 2, "source": "bbc", "cursor": cursor})
    assert other.status_code == 400 and other.json()["error"]["code"] == "bad_request"
    body, signature = cursor.split(".")
    tampered = http.get("/v1/articles", params={"size": 2, "cursor": body[:-2] + "AA." + signature})
    assert tampered.status_code == 400
    assert http.get("/v1/quotes", params={"size": 2, "cursor": cursor}).status_code == 400


def test_page_size_and_time_range_limits(http):
    too_big = http.get("/v1/articles", params={"size": 51})
    assert too_big.status_code == 422 and too_big.json()["error"]["details"][0]["field"] == "size"
    too_long = http.get("/v1/articles", params={"from": "2023-01-01", "to": "2025-01-01"})
    assert too_long.status_code == 422 and "366 days" in too_long.json()["error"]["message"]
    backwards = http.get("/v1/quotes", params={"from": "2025-05-01", "to": "2025-04-01"})
    assert backwards.status_code == 422
    assert http.get("/v1/articles", params={"size": 50}).status_code == 200


def test_csv_export_respects_the_row_cap(http):
    response = http.get("/v1/export/articles", params={"format": "csv", "limit": 1000})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-row-cap"] == "5"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5  # 8 match, cap is 5
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == ["opt-out-tools", "delay", "football", "fair-use", "silent-album"]
    assert rows[0]["stance_labels"] == "consent:against;litigation:against"
    assert "FULL TEXT" not in response.text


def test_ndjson_export_honours_limit_and_filters(http):
    response = http.get("/v1/export/quotes", params={"format": "ndjson", "limit": 2, "speaker": "daniel okafor"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [q["speaker"] for q in lines] == ["Daniel Okafor", "Daniel Okafor"]
    assert lines[0]["article_url"].startswith("https://")


def test_export_pages_through_more_rows_than_one_batch(api_world, monkeypatch):
    from newswatch.query_api import service

    monkeypatch.setattr(service, "EXPORT_BATCH", 2)
    http = api_world.http(make_config(export_row_cap=7), key=api_world.key())
    rows = list(csv.DictReader(io.StringIO(http.get("/v1/export/articles", params={"sort": "oldest"}).text)))
    assert len(rows) == 7 and len({r["id"] for r in rows}) == 7
    assert rows[0]["url"].endswith("/artists-sue")


def test_an_unknown_target_is_refused_with_the_known_ones(http):
    response = http.get("/v1/articles", params={"target": "copyright"})
    assert response.status_code == 422
    message = json.dumps(response.json())
    assert "unknown target 'copyright'" in message and "consent" in message and "platform_terms" in message


def test_q_on_quotes_matches_quote_text_and_titles_only_on_request(http):
    """'Musicians' is in an article's title, never in a quote: the quote must not come back by default."""
    assert http.get("/v1/quotes", params={"q": "musicians"}).json()["items"] == []
    with_titles = http.get("/v1/quotes", params={"q": "musicians", "titles": "true"}).json()["items"]
    assert [q["speaker"] for q in with_titles] == ["Priya Raman"]


def test_exports_carry_the_stance_confidence(http):
    response = http.get("/v1/export/quotes", params={"format": "csv", "speaker": "tom becker"})
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["stance_labels"] == "litigation:neutral" and row["stance_confidence"] == "litigation:0.90"
    line = json.loads(http.get("/v1/export/quotes", params={"format": "ndjson", "speaker": "tom becker"}).text.splitlines()[0])
    assert line["stance"] == [{"target_id": "litigation", "label": "neutral", "confidence": 0.9}]
