"""Latency benchmark of the query API: a typical search at N concurrent clients.

Generates small articles into a dedicated index prefix on the configured
cluster, serves the API from a separate process (``newswatch api``) so client
threads do not share its interpreter, measures, prints a table, and deletes
the prefix's indices afterwards.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import httpx

from newswatch.core.model import stable_id
from newswatch.core.settings import Settings
from newswatch.indexing.bulk import IndexAction, Indexer, Spool
from newswatch.indexing.connection import es_client
from newswatch.indexing.schema import drop_prefix, setup_indices
from newswatch.query_api.keys import ApiKeyStore

TOPIC_WORDS = (
    "training", "copyright", "consent", "licensing", "artists", "illustrators", "musicians", "writers", "dataset",
    "model", "lawsuit", "exemption", "opt-out", "publishers", "royalties", "scraping", "generator", "policy",
)
FILLER_WORDS = ("the", "new", "report", "says", "after", "week", "plan", "court", "group", "deal", "over", "for")
TARGETS = ("ai_training", "copyright_exemption", "text_and_data_mining")
LABELS = ("favor", "against", "neutral")
SOURCES = tuple(f"source-{n:02d}" for n in range(40))
PEOPLE = tuple(f"Speaker {n:03d}" for n in range(300))


def generated_article(number: int, rng: random.Random, now: datetime) -> dict:
    """A small article document that satisfies the strict mapping (no text body, no embedding)."""
    words = rng.sample(TOPIC_WORDS, 3) + rng.sample(FILLER_WORDS, 3)
    rng.shuffle(words)
    published = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
    source = rng.choice(SOURCES)
    stance = [{"target_id": t, "label": rng.choice(LABELS), "confidence": round(rng.random(), 3)}
              for t in rng.sample(TARGETS, rng.randint(0, 2))]
    speakers = rng.sample(PEOPLE, rng.randint(0, 2))
    relevance = round(rng.random(), 3)
    url = f"https://{source}.example/{number}"
    return {
        "@timestamp": published.isoformat(),
        "url": url,
        "canonical_url": url,
        "source_id": source,
        "source_name": source.replace("-", " ").title(),
        "title": " ".join(words).capitalize(),
        "summary": " ".join(rng.sample(TOPIC_WORDS + FILLER_WORDS, 12)),
        "published_at": published.isoformat(),
        "fetched_at": published.isoformat(),
        "language": "en",
        "relevance": relevance,
        "is_relevant": relevance >= 0.5,
        "stance": stance,
        "stance_labels": [f"{s['target_id']}:{s['label']}" for s in stance],
        "entities": {"people": speakers, "organizations": []},
        "speakers": speakers,
        "quote_count": 0,
    }


def generated_actions(count: int, seed: int, now: datetime) -> Iterator[IndexAction]:
    rng = random.Random(seed)
    for number in range(count):
        document = generated_article(number, rng, now)
        yield IndexAction("articles", stable_id(document["canonical_url"]), document)


def typical_queries(rng: random.Random, now: datetime, count: int) -> list[dict]:
    """Two topic words, a stance or source filter, the last 90 days, 20 per page."""
    start = (now - timedelta(days=90)).isoformat()
    queries = []
    for _ in range(count):
        params = {"q": " ".join(rng.sample(TOPIC_WORDS, 2)), "from": start, "size": 20}
        if rng.random() < 0.5:
            params["target"] = rng.choice(TARGETS)
            params["label"] = rng.choice(LABELS)
        else:
            params["source"] = rng.choice(SOURCES)
        queries.append(params)
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class LoadResult:
    latencies: list[float]
    errors: int
    wall_seconds: float


def run_load(base_url: str, key: str, queries: list[dict], clients: int, requests_per_client: int) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(offset: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=60) as http:
            for n in range(requests_per_client):
                params = queries[(offset * requests_per_client + n) % len(queries)]
                started = time.perf_counter()
                response = http.get("/v1/articles", params=params)
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(latencies, errors, time.perf_counter() - started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(base_url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API process exited with status {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API did not start within 60 s")


def serve_api(settings: Settings, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        ES_URL=settings.es.effective_url,
        NEWSWATCH_INDEX_PREFIX=settings.es.index_prefix,
        NEWSWATCH_API_RATE_PER_MINUTE="100000000",
        NEWSWATCH_API_RATE_BURST="100000",
    )
    command = [sys.executable, "-m", "newswatch.cli", "api", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50, help="requests per client")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    base = Settings.from_env()
    settings = replace(base, index_prefix=f"nwbench-{uuid.uuid4().hex[:8]}")
    client = es_client(settings.es)
    now = datetime.now(timezone.utc)
    process = None
    try:
        setup_indices(client, settings.es.index_prefix)
        with tempfile.TemporaryDirectory() as scratch:
            indexer = Indexer(client, settings.es.index_prefix, Spool(Path(scratch) / "spool"), Path(scratch) / "quarantine",
                              chunk_size=1000)
            started = time.perf_counter()
            report = indexer.index(generated_actions(args.articles, args.seed, now), refresh=True)
            index_seconds = time.perf_counter() - started
        if report.indexed != args.articles:
            raise RuntimeError(f"indexing incomplete: {report.summary()}")
        key = ApiKeyStore(client, settings.es.index_prefix).create("benchmark").key
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        process = serve_api(settings, port)
        _wait_until_serving(base_url, process)
        queries = typical_queries(random.Random(args.seed), now, 200)
        run_load(base_url, key, queries, args.clients, 5)  # warm caches and connections
        result = run_load(base_url, key, queries, args.clients, args.requests)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        drop_prefix(client, settings.es.index_prefix)
        client.close()

    ms = [latency * 1000 for latency in result.latencies]
    if not ms:
        print(f"every request failed ({result.errors} errors)", file=sys.stderr)
        return 1
    print(f"articles indexed      {args.articles:>10,}   ({index_seconds:.1f} s, {args.articles / index_seconds:,.0f} docs/s)")
    print(f"concurrent clients    {args.clients:>10}")
    print(f"requests (ok/errors)  {len(ms):>10} / {result.errors}")
    print(f"throughput            {len(ms) / result.wall_seconds:>10.1f} req/s")
    print(f"latency p50           {percentile(ms, 0.50):>10.1f} ms")
    print(f"latency p95           {percentile(ms, 0.95):>10.1f} ms")
    print(f"latency max           {max(ms):>10.1f} ms")
    return 0 if result.errors == 0 else 1
