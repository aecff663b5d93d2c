"""``newswatch demo``: the README's first command.

Starts Elasticsearch (unless ES_URL is set), serves the bundled offline corpus
on 127.0.0.1, runs the real ``newswatch_ingest`` DAG with ``airflow dags test``
against it, then prints what was found: top relevant stories with summary,
stance and key quotes. It then runs the terms watch on the served terms page,
once per version, so ``newswatch terms list|diff`` and the digest's terms
section have a change to show.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from newswatch import es_node
from newswatch.core.secrets import redact
from newswatch.core.settings import REPO_ROOT, ElasticsearchSettings, Settings

if TYPE_CHECKING:
    from newswatch.digest.subscriptions import Subscription
    from newswatch_lab.demo_server import DemoServer

DEMO_PREFIX = "newswatch-demo"
# The demo platform whose terms page the demo server serves (demo/terms).
TERMS_PLATFORM = "wavelane"
TERMS_DOCUMENT = "terms"


def airflow_environment(settings: Settings, sources_path: Path, terms_path: Path) -> dict[str, str]:
    """The DAG run's environment: this process's (PATH, credentials), pointed at the demo's node and corpus."""
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(REPO_ROOT))
    env.update(
        ES_URL=settings.es.effective_url,
        NEWSWATCH_HOME=str(settings.paths.home),
        NEWSWATCH_INDEX_PREFIX=settings.es.index_prefix,
        NEWSWATCH_SOURCES_FILE=str(sources_path),
        NEWSWATCH_TERMS_FILE=str(terms_path),
        # The demo corpus lives on loopback, which the fetcher's SSRF guard refuses unless allowed.
        NEWSWATCH_FETCH_ALLOW="127.0.0.1",
        NEWSWATCH_PER_HOST_INTERVAL="0",
    )
    return env


def run_ingest_dag(env: dict[str, str]) -> subprocess.CompletedProcess:
    airflow = [sys.executable, "-m", "airflow"]
    (Path(env["AIRFLOW_HOME"]) / "var" / "airflow").mkdir(parents=True, exist_ok=True)
    subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    return subprocess.run([*airflow, "dags", "test", "newswatch_ingest"], env=env, capture_output=True, text=True, check=False)


def terms_catalogue_yaml(base_url: str) -> str:
    """The demo's terms catalogue: the demo platform's terms page as the demo server serves it."""
    from newswatch_lab.demo_corpus import expected

    terms = expected()["terms"]
    document = {"platform": TERMS_PLATFORM, "document": TERMS_DOCUMENT, "doc_type": "terms_of_service",
                "url": base_url + terms["path"], "selector": terms["selector"], "remove": terms["remove"]}
    return yaml.safe_dump({"documents": [document]}, sort_keys=False)


def run_terms_watch(env: dict[str, str], server: DemoServer) -> list[dict]:
    """Check the served terms page once per version, as the daily terms DAG would on successive days.

    Returns the counts of each check: v1 stored, v2 stored as an AI-related change, v3 unchanged (only
    its date and a script differ).
    """
    from newswatch.pipeline import check_terms, ensure_indices
    from newswatch_lab.demo_corpus import terms_versions

    settings = Settings.from_env(env)
    ensure_indices(settings)
    counts = []
    for version in terms_versions():
        server.set_terms_version(version)
        counts.append(check_terms(settings))
    return counts


def digest_date_covering(subscription: Subscription, moment: datetime) -> date:
    """The first digest date whose period contains ``moment``."""
    local_day = moment.astimezone(subscription.zone).date()
    return local_day if subscription.send_time(local_day) > moment else local_day + timedelta(days=1)


def terms_summary(counts: list[dict], prefix: str) -> str:
    """What the terms watch stored, and the commands (as printed, they work) that show it."""
    from newswatch.core.model import utcnow
    from newswatch.digest.subscriptions import load_config

    stored = sum(c["new_versions"] for c in counts)
    ai_changes = sum(c["ai_related_changes"] for c in counts)
    failures = sum(c["failures"] for c in counts)
    subscription = load_config().subscriptions[0]
    command = f"NEWSWATCH_INDEX_PREFIX={prefix} .venv/bin/newswatch"
    digest_date = digest_date_covering(subscription, utcnow())
    return "\n".join([
        f"Terms watch: {TERMS_PLATFORM}/{TERMS_DOCUMENT} checked {len(counts)} times: {stored} versions stored, "
        + f"{ai_changes} AI-related change(s), {failures} failure(s). Try:",
        f"  {command} terms list",
        f"  {command} terms diff {TERMS_PLATFORM} {TERMS_DOCUMENT} --from 1 --to 2",
        f"  {command} digest preview --subscription {subscription.name} --date {digest_date}"
        + "   (its terms section shows the change)",
    ])


def format_story(story: dict) -> str:
    lines = [f"* {story['title']}  [{', '.join(story['sources'])}]  relevance {story['relevance']:.2f}"]
    if story.get("summary"):
        lines.append(f"    summary: {story['summary']}")
    if story.get("stance"):
        lines.append("    stance: " + ", ".join(f"{s['target_id']}={s['label']}" for s in story["stance"]))
    for quote in story.get("quotes", []):
        lines.append(f"    \u201c{quote['text']}\u201d \u2014 {quote['speaker']} ({', '.join(quote['stance_labels']) or 'no stance'})")
    return "\n".join(lines)


DEMO_KEEPS = frozenset({"api_keys"})


def _demo(args: argparse.Namespace) -> int:
    from newswatch.indexing.connection import es_client
    from newswatch.indexing.schema import drop_prefix
    from newswatch.indexing.search import (
        earliest_publication,
        failure_summary,
        top_stories,
    )
    from newswatch_lab import demo_corpus
    from newswatch_lab.demo_server import DemoServer

    settings = Settings.from_env()
    if settings.es.index_prefix == ElasticsearchSettings.index_prefix:  # no prefix chosen: keep the demo apart
        settings = settings.with_es(index_prefix=DEMO_PREFIX)
    if settings.es.managed:
        layout = es_node.start(settings)
        settings = settings.with_es(url=layout.url)
    # Each demo run starts from empty demo indices, so what it prints is what this run found; the
    # API keys someone made for the demo's indices survive it.
    drop_prefix(es_client(settings.es), settings.es.index_prefix, keep=DEMO_KEEPS)
    sources_path = settings.paths.home / "demo" / "sources.yaml"
    terms_path = settings.paths.home / "demo" / "terms.yaml"
    sources_path.parent.mkdir(parents=True, exist_ok=True)
    with DemoServer() as server:
        sources_path.write_text(demo_corpus.sources_yaml(server.base_url), encoding="utf-8")
        terms_path.write_text(terms_catalogue_yaml(server.base_url), encoding="utf-8")
        env = airflow_environment(settings, sources_path, terms_path)
        print(f"demo corpus served at {server.base_url}; running DAG newswatch_ingest with Airflow ...", flush=True)
        result = run_ingest_dag(env)
        terms_counts = run_terms_watch(env, server) if result.returncode == 0 else []
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:], sep="\n", file=sys.stderr)
        print("error: the ingest DAG run failed (output above)", file=sys.stderr)
        return 1
    client = es_client(settings.es)
    stories = top_stories(client, settings.es.index_prefix, size=args.top)
    print(f"\nTop {len(stories)} relevant stories:\n")
    for story in stories:
        print(format_story(story), end="\n\n")
    print(failure_summary(client, settings.es.index_prefix))
    print("\n" + terms_summary(terms_counts, settings.es.index_prefix))
    # The demo's stories are older than search's default week: the hint names the demo's own period.
    since = earliest_publication(client, settings.es.index_prefix) or "30d"
    print(f"\nIndices: {settings.es.index_prefix}-* on {redact(settings.es.effective_url)} "
          f"(try: NEWSWATCH_INDEX_PREFIX={settings.es.index_prefix} .venv/bin/newswatch search consent --since {since}; "
          "stop the node: .venv/bin/newswatch es stop)")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("demo", help="run the main job end to end on the bundled demo corpus and print results")
    parser.add_argument("--top", type=int, default=10, help="how many stories to print")
    parser.set_defaults(handler=_demo)
