"""``newswatch demo``: the README's first command.

Starts Elasticsearch (unless ES_URL is set), serves the bundled offline corpus
on 127.0.0.1, runs the real ``newswatch_ingest`` DAG with ``airflow dags test``
against it, then prints what was found: top relevant stories with summary,
stance and key quotes.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from newswatch import es_node
from newswatch.core.secrets import redact
from newswatch.core.settings import REPO_ROOT, ElasticsearchSettings, Settings

DEMO_PREFIX = "newswatch-demo"


def airflow_environment(settings: Settings, sources_path: Path) -> dict[str, str]:
    """The DAG run's environment: this process's (PATH, credentials), pointed at the demo's node and corpus."""
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(REPO_ROOT))
    env.update(
        ES_URL=settings.es.effective_url,
        NEWSWATCH_HOME=str(settings.paths.home),
        NEWSWATCH_INDEX_PREFIX=settings.es.index_prefix,
        NEWSWATCH_SOURCES_FILE=str(sources_path),
        # The demo corpus lives on loopback, which the fetcher's SSRF guard refuses unless allowed.
        NEWSWATCH_FETCH_ALLOW="127.0.0.1",
        NEWSWATCH_PER_HOST_INTERVAL="0",
    )
    return env


def run_ingest_dag(env: dict[str, str]) -> subprocess.CompletedProcess:
    airflow = [sys.executable, "-m", "airflow"]
    (Path(env["AIRFLOW_HOME"]) / "var" / "airflow").mkdir(parents=True, exist_ok=True)
    subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    return subprocess.run([*airflow, "dags", "test", "newswatch_ingest"], env=env, capture_output=True, text=True)


def format_story(story: dict) -> str:
    lines = [f"* {story['title']}  [{', '.join(story['sources'])}]  relevance {story['relevance']:.2f}"]
    if story.get("summary"):
        lines.append(f"    summary: {story['summary']}")
    if story.get("stance"):
        lines.append("    stance: " + ", ".join(f"{s['target_id']}={s['label']}" for s in story["stance"]))
    for quote in story.get("quotes", []):
        lines.append(f"    \u201c{quote['text']}\u201d \u2014 {quote['speaker']} ({', '.join(quote['stance_labels']) or 'no stance'})")
    return "\n".join(lines)


def _demo(args: argparse.Namespace) -> int:
    from newswatch.indexing.connection import es_client
    from newswatch.indexing.schema import drop_prefix
    from newswatch.indexing.search import failure_summary, top_stories
    from newswatch_lab import demo_corpus
    from newswatch_lab.demo_server import DemoServer

    settings = Settings.from_env()
    if settings.es.index_prefix == ElasticsearchSettings.index_prefix:  # no prefix chosen: keep the demo apart
        settings = settings.with_es(index_prefix=DEMO_PREFIX)
    if settings.es.managed:
        layout = es_node.start(settings)
        settings = settings.with_es(url=layout.url)
    # Each demo run starts from empty demo indices, so what it prints is what this run found.
    drop_prefix(es_client(settings.es), settings.es.index_prefix)
    sources_path = settings.paths.home / "demo" / "sources.yaml"
    sources_path.parent.mkdir(parents=True, exist_ok=True)
    with DemoServer() as server:
        sources_path.write_text(demo_corpus.sources_yaml(server.base_url), encoding="utf-8")
        print(f"demo corpus served at {server.base_url}; running DAG newswatch_ingest with Airflow ...", flush=True)
        result = run_ingest_dag(airflow_environment(settings, sources_path))
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
    print(f"\nIndices: {settings.es.index_prefix}-* on {redact(settings.es.effective_url)} "
          f"(try: NEWSWATCH_INDEX_PREFIX={settings.es.index_prefix} .venv/bin/newswatch search 'consent'; "
          "stop the node: .venv/bin/newswatch es stop)")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("demo", help="run the main job end to end on the bundled demo corpus and print results")
    parser.add_argument("--top", type=int, default=10, help="how many stories to print")
    parser.set_defaults(handler=_demo)
