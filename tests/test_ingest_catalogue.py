"""The sources catalogue: the shipped file is valid, bad entries are named, OPML round-trips."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from newswatch.cli import main
from newswatch.commands.feeds import _append_to_catalogue
from newswatch.feeds.catalogue import (
    CATEGORIES,
    CatalogueError,
    ImportDefaults,
    export_opml,
    import_opml,
    load_catalogue,
    merge_sources,
    parse_sources,
)
from newswatch.fetching.urls import canonicalize_url

VALID = {"id": "example-news", "name": "Example News", "category": "tech_press", "language": "en",
         "feeds": ["https://example.com/feed/"], "poll_interval_minutes": 30}


def test_shipped_catalogue_loads_and_every_entry_is_well_formed():
    sources = load_catalogue()
    assert len(sources) >= 40
    assert len({s.id for s in sources}) == len(sources)
    for source in sources:
        assert source.name.strip() and source.category in CATEGORIES and len(source.language) == 2
        assert source.feeds or source.listing_url
        for url in (*source.feeds, *([source.listing_url] if source.listing_url else [])):
            assert canonicalize_url(url).startswith("https://"), f"{source.id}: {url} should use https"
        assert 5 <= source.poll_interval_minutes <= 7 * 24 * 60
    categories = Counter(s.category for s in sources)
    # The issue asks for each kind of voice: trade press, tech press, industry, advocacy, platforms, policy.
    for category in ("trade_press", "tech_press", "industry_body", "advocacy", "platform", "policy"):
        assert categories[category] >= 3, category


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": "Not A Slug"}, "entry #1 (id 'Not A Slug'): field 'id' must be a slug"),
        ({"name": ""}, "entry #1 (id 'example-news'): field 'name'"),
        ({"category": "blogs"}, "field 'category' unknown category 'blogs'"),
        ({"language": "english"}, "field 'language' must be a two-letter ISO 639-1 code"),
        ({"feeds": "https://example.com/feed/"}, "field 'feeds' must be a list of URLs"),
        ({"feeds": ["ftp://example.com/feed"]}, "field 'feeds[0]' not an absolute http(s) URL"),
        ({"poll_interval_minutes": 1}, "field 'poll_interval_minutes'"),
        ({"poll_interval_minutes": "often"}, "field 'poll_interval_minutes'"),
        ({"feed_url": "https://x.example/"}, "field 'feed_url' is not a known field"),
        ({"feeds": [], "listing_url": None}, "needs at least one of 'feeds', 'sitemaps' or 'listing_url'"),
    ],
)
def test_invalid_entries_name_the_entry_and_the_field(change, expected):
    entry = {**VALID, **change}
    with pytest.raises(CatalogueError) as caught:
        parse_sources([entry], origin="test.yaml")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("test.yaml:")


def test_missing_field_and_every_problem_is_reported_at_once():
    entries = [
        {k: v for k, v in VALID.items() if k != "language"},
        {**VALID, "id": "second", "category": "nope"},
    ]
    with pytest.raises(CatalogueError) as caught:
        parse_sources(entries)
    assert caught.value.problems == [
        "entry #1 (id 'example-news'): field 'language' is required",
        f"entry #2 (id 'second'): field 'category' unknown category 'nope'; expected one of {', '.join(CATEGORIES)}",
    ]


def test_duplicate_ids_and_feeds_are_refused():
    duplicate_feed = {**VALID, "id": "other", "feeds": ["https://EXAMPLE.com/feed?utm_source=x"]}
    with pytest.raises(CatalogueError) as caught:
        parse_sources([VALID, VALID, duplicate_feed])
    text = str(caught.value)
    assert "entry #2 (id 'example-news'): field 'id' duplicates entry #1" in text
    assert "entry #3 (id 'other'): field 'feeds[0]' is already polled by entry #1" in text


def test_broken_yaml_is_a_catalogue_error(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: [unclosed\n")
    with pytest.raises(CatalogueError, match="not valid YAML"):
        load_catalogue(path)


def test_opml_round_trip_is_lossless():
    sources = load_catalogue()
    back = import_opml(export_opml(sources))
    assert {s.id: s for s in back} == {s.id: s for s in sources}


def test_foreign_opml_gets_defaults_and_folder_categories():
    opml = """<?xml version="1.0"?><opml version="1.0"><head><title>Reader export</title></head><body>
      <outline text="advocacy"><outline text="Some Guild" type="rss" xmlUrl="https://guild.example/feed.xml" htmlUrl="https://guild.example/"/></outline>
      <outline text="Loose Blog" type="rss" xmlUrl="https://blog.example/rss" language="fr-FR"/>
    </body></opml>"""
    sources = import_opml(opml, ImportDefaults(category="legal", language="en", poll_interval_minutes=90))
    guild, blog = sources
    assert (guild.id, guild.category, guild.language, guild.listing_url) == ("some-guild", "advocacy", "en", "https://guild.example/")
    assert (blog.category, blog.language, blog.poll_interval_minutes) == ("legal", "fr", 90)


def test_bad_opml_names_the_outline():
    opml = '<opml version="2.0"><body><outline text="Bad" type="rss" xmlUrl="gopher://old.example/feed"/></body></opml>'
    with pytest.raises(CatalogueError, match=r"entry #1 \(id 'bad'\): field 'feeds\[0\]'"):
        import_opml(opml)


def test_merge_keeps_existing_and_adds_only_new_sources():
    existing = parse_sources([VALID])
    incoming = parse_sources([{**VALID, "name": "Renamed"}, {**VALID, "id": "fresh", "feeds": ["https://fresh.example/feed"]}])
    merged, added = merge_sources(existing, incoming)
    assert [s.id for s in added] == ["fresh"] and merged[0].name == "Example News"


def test_cli_validate_export_and_merge_import(tmp_path, capsys):
    catalogue = tmp_path / "sources.yaml"
    catalogue.write_text("# keep this comment\n" + yaml.safe_dump({"sources": [VALID]}, sort_keys=False))
    assert main(["sources", "validate", "--catalogue", str(catalogue)]) == 0
    assert "1 sources valid" in capsys.readouterr().out

    opml = tmp_path / "more.opml"
    opml.write_text(export_opml(parse_sources([VALID, {**VALID, "id": "fresh", "feeds": ["https://fresh.example/feed"]}])))
    assert main(["sources", "import-opml", str(opml), "--merge-into", str(catalogue)]) == 0
    assert [s.id for s in load_catalogue(catalogue)] == ["example-news", "fresh"]
    assert catalogue.read_text().startswith("# keep this comment")

    catalogue.write_text(yaml.safe_dump({"sources": [{**VALID, "language": "xx-long"}]}))
    assert main(["sources", "validate", "--catalogue", str(catalogue)]) == 1
    assert "field 'language'" in capsys.readouterr().err


def test_append_rolls_back_when_the_result_is_invalid(tmp_path):
    catalogue = tmp_path / "sources.yaml"
    original = yaml.safe_dump({"sources": [VALID]}, sort_keys=False)
    catalogue.write_text(original)
    with pytest.raises(CatalogueError):
        _append_to_catalogue(catalogue, yaml.safe_dump([VALID], sort_keys=False))  # duplicate id
    assert catalogue.read_text() == original
