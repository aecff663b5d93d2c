"""The bundled offline demo: a fictional news corpus about AI and artists' rights.

``demo/corpus`` holds the pages and feeds, ``demo/terms`` three versions of a
platform's terms page, ``demo/sources.yaml`` the sources that point at them and
``demo/expected.json`` what the pipeline should find. Every absolute URL is
written with the ``{{BASE_URL}}`` placeholder, which ``newswatch_lab.demo_server`` replaces
with its own address when it serves a file, so the corpus works on any port.
"""
from __future__ import annotations

import json
from typing import Any

from newswatch.core.settings import REPO_ROOT

DEMO_DIR = REPO_ROOT / "demo"
CORPUS_DIR = DEMO_DIR / "corpus"
TERMS_DIR = DEMO_DIR / "terms"
SOURCES_FILE = DEMO_DIR / "sources.yaml"
EXPECTED_FILE = DEMO_DIR / "expected.json"
PLACEHOLDER = "{{BASE_URL}}"
# The live URL of the demo platform's terms page; newswatch_lab.demo_server picks which version it shows.
TERMS_PATH = "/wavelane/legal/terms-of-service"


def terms_versions() -> list[int]:
    """Numbers of the terms page versions in demo/terms (wavelane-terms-vN.html)."""
    return sorted(int(path.stem.rsplit("-v", 1)[1]) for path in TERMS_DIR.glob("wavelane-terms-v*.html"))


def with_base_url(text: str, base_url: str) -> str:
    """Replace the placeholder by a real base URL (no trailing slash)."""
    return text.replace(PLACEHOLDER, base_url.rstrip("/"))


def sources_yaml(base_url: str) -> str:
    """The demo sources catalogue with its URLs pointing at ``base_url``."""
    return with_base_url(SOURCES_FILE.read_text(encoding="utf-8"), base_url)


def expected() -> dict[str, Any]:
    """The facts the end-to-end test checks (paths are relative to the base URL)."""
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
