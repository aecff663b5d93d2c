# The two README commands are `make demo` and `make test`; everything else is for developers.
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: setup demo test bench eval es-start es-stop

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
