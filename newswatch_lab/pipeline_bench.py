"""``newswatch bench pipeline``: the whole ingest pipeline on a generated corpus, stage by stage.

The corpus (default 1,000 articles over 40 sources, one RSS feed each) is
generated from the demo corpus's paragraphs, served on 127.0.0.1 and run
through the same functions the DAG calls; item batches run in parallel worker
processes, as Airflow's LocalExecutor runs mapped tasks. Then every source is
polled once more with nothing changed (all 304s): the idle poll.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

import yaml

from newswatch.core.settings import REPO_ROOT, FetchSettings, Settings

STAGES = ["poll", "fetch", "extract", "quotes", "enrich", "index"]
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="{site}"><link rel="canonical" href="{{{{BASE_URL}}}}{path}"></head>
<body><header><nav><a href="/">Home</a> <a href="/music">Music</a> <a href="/tech">Technology</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By <span class="author">{author}</span>
<time datetime="{published}">{published}</time></p>{body}</article>
<aside><h2>Most read</h2><ul><li><a href="/x">Festival season opens</a></li><li><a href="/y">Markets close higher</a></li></ul></aside></main>
<footer><p>&copy; 2026 {site}. All rights reserved. Cookie settings. Privacy.</p></footer></body></html>"""
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{site}</title>
<link>{{{{BASE_URL}}}}/{source}/</link><description>{site} news</description>{items}</channel></rss>"""
ITEM = "<item><title>{title}</title><link>{{{{BASE_URL}}}}{path}</link><pubDate>{date}</pubDate></item>"


def demo_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted((REPO_ROOT / "demo" / "authoring" / "articles").glob("*.yaml")):
        for article in yaml.safe_load(path.read_text(encoding="utf-8")):
            paragraphs.extend(p.strip() for p in article["body"].split("\n\n") if len(p.split()) > 15)
    return paragraphs


def generate_corpus(directory: Path, articles: int, sources: int, seed: int = 7, words: int = 800) -> Path:
    """Write pages and feeds under ``directory``; return the sources file (with {{BASE_URL}})."""
    rng = random.Random(seed)
    pool = demo_paragraphs()
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    catalogue = []
    per_source = -(-articles // sources)
    for s in range(sources):
        source = f"bench-source-{s:02d}"
        site = f"Bench Outlet {s:02d}"
        items = []
        for n in range(s * per_source, min(articles, (s + 1) * per_source)):
            paragraphs, count = [], 0
            while count < words:
                paragraph = rng.choice(pool)
                paragraphs.append(paragraph)
                count += len(paragraph.split())
            title = f"Report {n}: {' '.join(paragraphs[0].split()[:9])}"
            path = f"/{source}/2026/story-{n}"
            published = (start + timedelta(minutes=17 * n)).isoformat()
            body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)
            page = directory / source / "2026" / f"story-{n}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(PAGE.format(title=escape(title), site=site, path=path, author="Staff Writer",
                                        published=published, body=body), encoding="utf-8")
            date = (start + timedelta(minutes=17 * n)).strftime("%a, %d %b %Y %H:%M:%S +0000")
            items.append(ITEM.format(title=escape(title), path=path, date=date))
        # The last sources may get no article (300 over 40: 8 each); they still serve an empty feed.
        (directory / source).mkdir(parents=True, exist_ok=True)
        (directory / source / "feed.xml").write_text(FEED.format(site=site, source=source, items="".join(items)), encoding="utf-8")
        catalogue.append({"id": source, "name": site, "category": "trade_press", "language": "en",
                          "feeds": [f"{{{{BASE_URL}}}}/{source}/feed.xml"], "poll_interval_minutes": 30})
    (directory / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    sources_file = directory / "sources.template.yaml"
    sources_file.write_text(yaml.safe_dump({"sources": catalogue}, sort_keys=False), encoding="utf-8")
    return sources_file


def _process(args: tuple[Settings, list[dict], str]) -> dict:
    from newswatch.pipeline import process_batch

    return process_batch(*args)


def run_pipeline_bench(settings: Settings, articles: int, sources: int, workers: int, batch_size: int) -> dict:
    from newswatch import pipeline
    from newswatch.feeds.catalogue import load_catalogue
    from newswatch.feeds.poller import run_poll
    from newswatch.indexing.connection import es_client
    from newswatch.indexing.runtime import make_indexer
    from newswatch.indexing.schema import drop_prefix
    from newswatch_lab.demo_server import DemoServer

    settings = settings.with_es(index_prefix=f"bench-{uuid.uuid4().hex[:8]}")
    with tempfile.TemporaryDirectory() as workdir:
        corpus = Path(workdir) / "corpus"
        template = generate_corpus(corpus, articles, sources)
        with DemoServer(corpus_dir=corpus) as server:
            sources_path = Path(workdir) / "sources.yaml"
            sources_path.write_text(template.read_text().replace("{{BASE_URL}}", server.base_url))
            settings = replace(settings.with_paths(sources_file=sources_path), fetch=FetchSettings(allow=("127.0.0.1",), per_host_interval=0))
            pipeline.ensure_indices(settings)
            run_id = f"bench-{uuid.uuid4().hex[:6]}"
            started = time.perf_counter()
            polls = [pipeline.poll_batch(settings, batch, run_id) for batch in pipeline.plan_polls(settings)]
            batches = pipeline.plan_items(settings, polls, batch_size=batch_size)
            with ProcessPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(_process, [(settings, batch, run_id) for batch in batches]))
            total = time.perf_counter() - started

            client = es_client(settings.es)
            before = len(server.request_log)
            idle_started = time.perf_counter()
            idle = run_poll(client, make_indexer(settings, client), settings.es.index_prefix,
                            load_catalogue(sources_path), pipeline.make_fetcher(settings), force=True)
            idle_seconds = time.perf_counter() - idle_started
            statuses = Counter(status for _, path, status in list(server.request_log)[before:] if path.endswith("feed.xml"))
        drop_prefix(client, settings.es.index_prefix)
    seconds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for result in [*polls, *results]:
        seconds.update(result["stage_seconds"])
        counts.update(result["counts"])
    return {"total_s": total, "stage_seconds": dict(seconds), "counts": dict(counts), "idle_poll_s": idle_seconds,
            "idle_sources": len(idle.polls), "idle_items": len(idle.items), "idle_statuses": dict(statuses), "workers": workers}


def format_report(report: dict) -> str:
    indexed = report["counts"].get("indexed", 0)
    worker_seconds = sum(report["stage_seconds"].get(stage, 0.0) for stage in STAGES) or 1.0
    lines = [
        f"articles indexed: {indexed}   wall time: {report['total_s']:.1f} s   "
        f"throughput: {indexed / report['total_s']:.2f} articles/s   ({report['workers']} worker processes)",
        "",
        f"{'stage':<10}{'seconds (summed over workers)':>32}{'share':>9}",
    ]
    for stage in STAGES:
        value = report["stage_seconds"].get(stage, 0.0)
        lines.append(f"{stage:<10}{value:>32.1f}{value / worker_seconds:>9.1%}")
    lines += [
        "",
        f"idle poll: {report['idle_sources']} sources in {report['idle_poll_s']:.2f} s, "
        f"new items {report['idle_items']}, feed answers {report['idle_statuses']}",
        f"counts: {report['counts']}",
    ]
    return "\n".join(lines)


def _bench(args: argparse.Namespace) -> int:
    from newswatch import es_node

    settings = Settings.from_env()
    if settings.es.managed:
        settings = settings.with_es(url=es_node.start(settings).url)
    report = run_pipeline_bench(settings, args.articles, args.sources, args.workers, args.batch_size)
    print(format_report(report))
    return 0


def register_bench(tasks: argparse._SubParsersAction) -> None:
    parser = tasks.add_parser("pipeline", help="whole pipeline on a generated corpus, stage by stage, plus an idle poll")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="parallel item-batch workers (like mapped tasks)")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.set_defaults(handler=_bench)
