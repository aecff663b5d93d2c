"""``newswatch eval summaries``, ``eval relevance`` and ``bench enrich``."""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from newswatch.core.settings import REPO_ROOT
from newswatch_lab.shared import shared_datasets_dir

DEFAULT_SUMMARY_DATASET = shared_datasets_dir() / "summarization-cnndm"


ENRICH_TARGET_MS = 1000.0


LOAD_TARGET_S = 10.0


def _eval_summaries(args: argparse.Namespace) -> int:
    from newswatch.enrichment.sentences import split_ptb
    from newswatch.enrichment.summarize import DEFAULT_HEAD_PATH, ExtractiveSummarizer
    from newswatch_lab.summary_eval import evaluate_summaries, load_reference_articles

    _pin_to_one_core()
    try:
        articles = load_reference_articles(args.dataset, limit=args.limit)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summarizer = ExtractiveSummarizer()
    summarizer.select(articles[0].article, tokenized=True)  # load and warm the encoder before timing
    summarizer.encoder.clear_cache()
    report = evaluate_summaries(articles, lambda text: summarizer.select(text, tokenized=True))
    lead3 = evaluate_summaries(articles, lambda text: split_ptb(text)[:3])
    print(f"dataset: {args.dataset} (lowercased PTB-tokenized; summarised as is, tokenized=True)")
    print(report.table())
    print(f"Lead-3, same articles and scorer: ROUGE-1/2/Lsum {lead3.rouge1:.2f} / {lead3.rouge2:.2f} / {lead3.rouge_lsum:.2f}")
    print(cross_validation_line(json.loads(DEFAULT_HEAD_PATH.read_text(encoding="utf-8"))))
    return 0


def cross_validation_line(head: dict) -> str:
    """The shipped head's own cross-validated scores: each fold scored by a head fitted without it."""
    validation = head["training"]["cross_validation"]
    ours, lead3 = validation["held_out_rouge_1_2_lsum"], validation.get("lead3_rouge_1_2_lsum")
    line = f"{validation['method']} ({head['training']['articles']} articles): ROUGE-1/2/Lsum " + " / ".join(f"{v:.2f}" for v in ours)
    return line + (" (Lead-3 on the same folds: " + " / ".join(f"{v:.2f}" for v in lead3) + ")" if lead3 else "")


def _eval_relevance(args: argparse.Namespace) -> int:
    import numpy as np

    from newswatch.enrichment.model_service import get_encoder
    from newswatch.enrichment.profile import load_profile
    from newswatch.enrichment.relevance import RelevanceScorer
    from newswatch_lab.relevance_data import item_vectors, load_labelled
    from newswatch_lab.relevance_training import (
        Scores,
        build_features,
        choose_c,
        load_grounded_relevance,
        load_real_pages,
        score_test,
    )
    
    profile = load_profile(args.profile)
    try:
        own = load_labelled(args.dataset)
        grounded_train, grounded_test = load_grounded_relevance()
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    real_train, real_test = load_real_pages(shared_datasets_dir())
    encoder = get_encoder()
    shipped = RelevanceScorer(profile, encoder)
    width = 58
    print(f"profile {profile.id} v{profile.version}; shipped threshold {shipped.threshold}")
    print(f"{'what':<{width}} {'items':>6} {'P':>6} {'R':>6} {'F1':>6}  other")
    test = grounded_test + real_test
    scores = score_test(shipped.score_vectors(item_vectors(test, encoder)), test, shipped.threshold)
    print(
        f"{'test split: grounded items + real pages (never trained on)':<{width}} {scores['items']:>6} {scores['precision']:>6.3f} "
        f"{scores['recall']:>6.3f} {scores['f1']:>6.3f}  primary-source recall {scores['primary_source_recall']} "
        f"({scores['primary_sources']}), real-page false positives {scores['real_page_false_positive_rate']} ({scores['real_pages']})"
    )
    data = build_features(own, profile, encoder)
    for name, features in (("own set, full model, 5-fold CV", data.full), ("own set, similarity-only, 5-fold CV", data.similarity)):
        _, held_out = choose_c(features, data.labels)
        result = Scores.of(data.labels, held_out >= shipped.threshold)
        print(f"{name:<{width}} {len(own):>6} {result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}")
    demo = demo_articles()
    if demo:
        truth = np.array([relevant for _, _, relevant in demo])
        predicted = np.array([shipped.is_relevant(shipped.score_article(title, body)[0]) for title, body, _ in demo])
        result = Scores.of(truth, predicted)
        print(f"{'demo corpus articles (unseen)':<{width}} {len(demo):>6} {result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}")
    print(f"training items: own {len(own)}, grounded {len(grounded_train)}, real pages {len(real_train)}")
    return 0


def demo_articles() -> list[tuple[str, str, bool]]:
    """(title, body, relevant) of the demo corpus's articles labelled relevant or off_topic (written apart from the set)."""
    import yaml

    articles = []
    for path in sorted((REPO_ROOT / "demo" / "authoring" / "articles").glob("*.yaml")):
        for article in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if article.get("relevance") in {"relevant", "off_topic"}:
                articles.append((article["title"], article["body"], article["relevance"] == "relevant"))
    return articles


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _pin_to_one_core() -> None:
    """Time on one core, as the targets are stated: one CPU and one torch thread."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import torch

    torch.set_num_threads(1)


def bench_articles(count: int, words: int, seed: int = 11) -> list[tuple[str, str]]:
    """(title, text) pairs of about ``words`` words, from the demo corpus's on-topic paragraphs."""
    import yaml

    paragraphs = []
    for path in sorted((REPO_ROOT / "demo" / "authoring" / "articles").glob("*.yaml")):
        for article in yaml.safe_load(path.read_text(encoding="utf-8")):
            if article.get("relevance") == "relevant":
                paragraphs.extend(p.strip() for p in article["body"].split("\n\n") if len(p.split()) > 15)
    if not paragraphs:
        raise RuntimeError("no demo paragraphs found under demo/authoring/articles")
    rng = random.Random(seed)
    articles = []
    for number in range(count):
        chosen, total = [], 0
        while total < words:
            chosen.append(rng.choice(paragraphs))
            total += len(chosen[-1].split())
        articles.append((f"Bench article {number}: " + " ".join(chosen[0].split()[:8]), "\n\n".join(chosen)))
    return articles


def _bench_enrich(args: argparse.Namespace) -> int:
    if args.one_core:
        _pin_to_one_core()
    load_started = time.perf_counter()
    from newswatch.enrichment.enrich import build_enricher
    from newswatch.enrichment.entities import get_pipeline

    enricher = build_enricher(stance=not args.no_stance)
    get_pipeline()
    load_seconds = time.perf_counter() - load_started

    from newswatch.core.model import Article
    from newswatch.quotes.extraction import extract_quotes

    articles = []
    for number, (title, text) in enumerate(bench_articles(args.articles + 1, args.words)):
        url = f"https://bench.example/enrich/{number}"
        articles.append(Article(url=url, canonical_url=url, source_id="bench", title=title, text=text, language="en", quotes=extract_quotes(text, language="en")))
    enricher.enrich(articles[0])  # warm-up: first calls allocate buffers
    wall, cpu = [], []
    quotes = judged = 0
    for article in articles[1:]:
        enricher.relevance.encoder.clear_cache()  # every article is new in production
        if enricher.stance_model is not None:
            enricher.stance_model.clear_cache()
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        enriched = enricher.enrich(article)
        cpu.append(1000 * (time.process_time() - cpu_start))
        wall.append(1000 * (time.perf_counter() - wall_start))
        quotes += len(enriched.quotes)
        judged += sum(len(q.stance) for q in enriched.quotes)
    count = len(articles) - 1
    stance_state = "on" if enricher.stance_model is not None else "OFF (no trained stance model found)"
    print(f"articles: {count} x ~{args.words} words; {quotes / count:.1f} quotes, {judged / count:.1f} stance judgements per article; stance {stance_state}")
    print(f"cores: {'one (pinned)' if args.one_core else 'all'}, torch threads {torch_threads()}; on a shared machine wall time includes waiting for a core")
    print(f"{'ms per article':16} {'median':>8} {'p90':>8} {'max':>8}")
    for label, values in (("wall time", sorted(wall)), ("CPU time", sorted(cpu))):
        print(f"{label:16} {statistics.median(values):8.1f} {values[int(0.9 * (len(values) - 1))]:8.1f} {values[-1]:8.1f}")
    print(f"model load (encoder, relevance, summariser, stance, spaCy): {load_seconds:.2f} s")
    median_wall = statistics.median(wall)
    ok = median_wall <= ENRICH_TARGET_MS and load_seconds < LOAD_TARGET_S
    print(f"target: median <= {ENRICH_TARGET_MS:.0f} ms, load < {LOAD_TARGET_S:.0f} s: {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


def register_eval(tasks: argparse._SubParsersAction) -> None:
    summaries = tasks.add_parser("summaries", help="ROUGE-1/2/Lsum F1 and ms per article of the extractive summariser")
    summaries.add_argument("--dataset", type=Path, default=DEFAULT_SUMMARY_DATASET, help="folder with dev.jsonl (or the file)")
    summaries.add_argument("--limit", type=int, default=None, help="only the first N articles")
    summaries.set_defaults(handler=_eval_summaries)

    relevance = tasks.add_parser("relevance", help="precision, recall and F1 of the relevance flag: held-out real pages and grounded items, own set, demo")
    relevance.add_argument("--dataset", type=Path, default=REPO_ROOT / "datasets" / "relevance" / "relevance.jsonl")
    relevance.add_argument("--profile", default=None, help="topic profile name or YAML path")
    relevance.set_defaults(handler=_eval_relevance)


def register_bench(tasks: argparse._SubParsersAction) -> None:
    bench = tasks.add_parser("enrich", help="median time to enrich one 800-word article, and model load time")
    bench.add_argument("--articles", type=int, default=20)
    bench.add_argument("--words", type=int, default=800)
    bench.add_argument("--no-stance", action="store_true", help="leave the stance model out")
    bench.add_argument("--one-core", action="store_true", help="pin the process to one core")
    bench.set_defaults(handler=_bench_enrich)
