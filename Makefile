# The two README commands are `make demo` and `make test`; everything else is for developers.
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: setup demo test bench bench-api eval es-start es-stop cluster-test
SHARED := ../shared/datasets

setup:
	./scripts/bootstrap.sh

demo: setup
	$(VENV)/newswatch demo

test: setup
	$(VENV)/python -m pytest -q -p no:cacheprovider

es-start: setup
	$(VENV)/newswatch es start

es-stop:
	$(VENV)/newswatch es stop

# The shared deployment of deploy/ on loopback (PostgreSQL, Redis, three Elasticsearch nodes, Airflow with
# two Celery workers): the demo corpus through the scheduler, counts, both workers, a second run, failover.
cluster-test: setup
	nice -n 10 $(VENV)/python scripts/cluster_test.py

# Speed targets (tables): quotes per article, enrichment per article, whole pipeline on 1,000 articles.
bench: setup
	$(VENV)/python scripts/bench_quotes.py
	$(VENV)/newswatch bench enrich
	$(VENV)/newswatch bench pipeline

bench-api: setup
	$(VENV)/python scripts/bench_api.py

# Quality targets (scores) on the shared datasets and the project's own labelled sets.
eval: setup
	$(VENV)/newswatch eval extraction --dataset $(SHARED)/article-extraction-benchmark
	$(VENV)/newswatch eval extraction --dataset $(SHARED)/wcxb-dev-articles
	$(VENV)/newswatch eval quotes --dataset $(SHARED)/polnear-train-dev --split dev
	$(VENV)/newswatch eval quotes --dataset $(SHARED)/quotes-synthetic/quotes-synthetic.jsonl
	$(VENV)/newswatch eval quotes --dataset datasets/quotes-dev/quotes-dev.jsonl
	$(VENV)/newswatch eval summaries --dataset $(SHARED)/summarization-cnndm
	$(VENV)/newswatch eval relevance
	$(VENV)/newswatch eval stance
	$(VENV)/newswatch eval dedup
