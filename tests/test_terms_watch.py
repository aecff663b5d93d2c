"""Terms watch: pure comparison functions, and three served versions of a terms page into the real ES."""
from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.cli import main
from newswatch.fetching.safe_fetch import Fetcher, FetchPolicy
from newswatch.fetching.ssrf import AddressPolicy
from newswatch.indexing.runtime import make_indexer
from newswatch.indexing.schema import IndexNames
from newswatch.terms.catalogue import (
    TermsCatalogueError,
    TermsDocument,
    load_terms_catalogue,
    parse_terms_catalogue,
)
from newswatch.terms.compare import (
    SelectorNotFound,
    classify_change,
    comparable,
    diff_texts,
    extract_document_text,
)
from newswatch.terms.watch import check_documents
from newswatch_lab.demo_corpus import expected
from newswatch_lab.demo_server import DemoServer

TERMS = expected()["terms"]

PAGE = """<html><body><nav>Home</nav><article class="doc"><p class="updated">Last updated: 2 September 2026</p>
<div class="toc"><p>Contents</p></div><p>1. You own your content.</p><script>track('x')</script>
<p>2. We may suspend accounts.</p></article></body></html>"""


def test_document_text_keeps_the_body_and_drops_scripts_and_removed_parts():
    text = extract_document_text(PAGE, "article.doc", [".toc"])
    assert text.splitlines() == ["Last updated: 2 September 2026", "1. You own your content.", "2. We may suspend accounts."]


def test_selector_alternatives_are_tried_in_order_and_drift_is_an_error():
    assert extract_document_text(PAGE, "main, article.doc").startswith("Last updated")
    with pytest.raises(SelectorNotFound):
        extract_document_text(PAGE, "main.legal")


def test_dates_are_noise_for_comparison():
    assert comparable("Last updated: 2 September 2026") == comparable("Last updated: 30 September 2026")
    assert comparable("Updated 2026-09-02") == comparable("Updated 2026-09-30")
    assert not diff_texts("Last updated: March 14, 2025\nA.", "Last updated: Sep 2, 2026\nA.").changed


def test_an_added_ai_training_licence_is_classified_as_an_ai_change():
    old = "4.1 You grant us a licence to host Your Content.\n4.5 The licences end when you delete Your Content."
    new = (old.split("\n")[0] + "\n4.3 You grant us a licence to use Your Content to train machine learning models.\n"
           "4.5 The licences end when you delete Your Content, except for models trained before.")
    change = classify_change(diff_texts(old, new))
    assert change.ai_related
    assert set(change.kinds) == {"added", "altered"}
    assert any(p.startswith("4.3") for p in change.passages)
    assert "machine learning" in change.terms


def test_a_staff_training_clause_is_not_an_ai_change():
    change = classify_change(diff_texts("A.", "A.\nOur staff receive training on privacy."))
    assert not change.ai_related


def test_catalogue_has_25_plus_well_formed_documents_and_errors_name_entry_and_field():
    documents = load_terms_catalogue()
    assert len(documents) >= 25
    assert len({d.key for d in documents}) == len(documents)
    with pytest.raises(TermsCatalogueError) as error:
        parse_terms_catalogue({"documents": [{"platform": "acme", "document": "terms", "doc_type": "poem",
                                              "url": "ftp://x", "selector": "main"}]})
    message = str(error.value)
    assert "entry 0 (acme/terms)" in message and "'doc_type'" in message and "'url'" in message


@pytest.mark.integration
def test_three_served_versions_store_v1_and_v2_only(es_ready, es_settings):
    names = IndexNames(es_settings.es.index_prefix)
    fetch_policy = FetchPolicy(addresses=AddressPolicy.allowing("127.0.0.1"), per_host_interval=0)
    with DemoServer() as server, Fetcher(fetch_policy) as fetcher:
        document = TermsDocument(platform="wavelane", document="terms", doc_type="terms_of_service",
                                 url=server.url(TERMS["path"]), selector=TERMS["selector"], remove=TERMS["remove"])
        drifted = document.model_copy(update={"document": "privacy", "selector": "article.no-such-layout"})
        indexer = make_indexer(es_settings, es_ready)
        reports = []
        for version in (1, 2, 3):
            server.set_terms_version(version)
            reports.append(check_documents(fetcher, es_ready, indexer, es_settings.es.index_prefix, [document, drifted]))

    assert [r.counts()["new_versions"] for r in reports] == [1, 1, 0]
    assert reports[2].unchanged == ["wavelane/terms"]
    stored = es_ready.search(index=names.alias("terms"), sort=[{"version": "asc"}])["hits"]["hits"]
    assert [hit["_source"]["version"] for hit in stored] == [1, 2]
    v2 = stored[1]["_source"]
    assert v2["ai_related"] is True
    assert any(TERMS["added_in_v2"][0] in passage for passage in v2["ai_passages"])
    assert "4.3 Licence for AI" in v2["diff"]

    es_ready.indices.refresh(index=names.alias("failures"))
    failures = es_ready.search(index=names.alias("failures"), query={"term": {"stage": "terms"}})["hits"]["hits"]
    assert {f["_source"]["error_type"] for f in failures} == {"SelectorNotFound"}
    assert all(hit["_source"]["document"] == "terms" for hit in stored)  # drift stored nothing, deleted nothing


@pytest.mark.integration
def test_terms_diff_command_prints_the_added_clause(es_ready, es_settings, monkeypatch, capsys):
    indexer = make_indexer(es_settings, es_ready)
    document = TermsDocument(platform="acme", document="terms", doc_type="terms_of_service",
                             url="https://acme.example/terms", selector="main")
    from newswatch.core.model import utcnow
    from newswatch.indexing.bulk import IndexAction
    from newswatch.terms.watch import new_version_document, version_id

    v1 = new_version_document(document, "1. Hosting licence.", None, utcnow())
    v2 = new_version_document(document, "1. Hosting licence.\n2. We train AI models on uploads.", v1, utcnow())
    indexer.index([IndexAction("terms", version_id(document, 1), v1), IndexAction("terms", version_id(document, 2), v2)], refresh=True)
    monkeypatch.setenv("ES_URL", es_settings.es.effective_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", es_settings.es.index_prefix)
    assert main(["terms", "diff", "acme", "terms", "--from", "1", "--to", "2"]) == 0
    output = capsys.readouterr().out
    assert "+2. We train AI models on uploads." in output
    assert main(["terms", "list", "acme"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listing[1:]] == [["acme/terms", "1"], ["acme/terms", "2"]]
    assert main(["terms", "list", "nobody"]) == 0 and "no stored versions" in capsys.readouterr().out


@pytest.mark.integration
def test_the_demo_terms_watch_fills_the_index_for_terms_list_diff_and_the_digest(
    es_ready, es_settings, tmp_path, monkeypatch, capsys,
):
    from newswatch.core.model import utcnow
    from newswatch.digest.subscriptions import load_config
    from newswatch_lab.demo import (
        airflow_environment,
        digest_date_covering,
        run_terms_watch,
        terms_catalogue_yaml,
        terms_summary,
    )

    prefix = es_settings.es.index_prefix
    terms_path = tmp_path / "terms.yaml"
    with DemoServer() as server:
        terms_path.write_text(terms_catalogue_yaml(server.base_url))
        counts = run_terms_watch(airflow_environment(es_settings, tmp_path / "sources.yaml", terms_path), server)
    # v1 stored, v2 stored as an AI change, v3 (date and script only) not a version.
    assert [(c["new_versions"], c["ai_related_changes"], c["failures"]) for c in counts] == [(1, 0, 0), (1, 1, 0), (0, 0, 0)]

    summary = terms_summary(counts, prefix)
    assert "2 versions stored, 1 AI-related change(s), 0 failure(s)" in summary
    printed = [line.split(".venv/bin/newswatch ", 1)[1].split("   (")[0].split() for line in summary.splitlines()[1:]]
    assert [args[:2] for args in printed] == [["terms", "list"], ["terms", "diff"], ["digest", "preview"]]
    monkeypatch.setenv("ES_URL", es_settings.es.effective_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", prefix)
    # The commands the demo prints, run as printed.
    assert main(printed[0]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listing[1:]] == [["wavelane/terms", "1"], ["wavelane/terms", "2"]]
    assert listing[1].endswith("  -") and listing[2].endswith("  added, altered")  # v2 is the AI change
    assert main(printed[1]) == 0
    diff = capsys.readouterr().out
    assert any(line.startswith("+") and TERMS["added_in_v2"][0] in line for line in diff.splitlines())

    monkeypatch.setenv("NEWSWATCH_HOME", str(tmp_path / "home"))
    assert main(printed[2]) == 0
    text_path = capsys.readouterr().out.splitlines()[0]
    assert printed[2][-1] == str(digest_date_covering(load_config().subscriptions[0], utcnow()))
    text = Path(text_path).read_text(encoding="utf-8")
    section = text[text.index("TERMS AND POLICY CHANGES"):]
    assert "- wavelane: Terms of service" in section and "AI-related clauses added, altered" in section
    assert TERMS["added_in_v2"][1][:60] in section
