"""The command line starts fast: no heavy library is imported to build the parser or print help."""
from __future__ import annotations

import json
import subprocess
import sys

from newswatch.core.settings import REPO_ROOT

HEAVY = ("torch", "spacy", "transformers", "thinc", "sklearn", "trafilatura")


def test_help_imports_no_heavy_library():
    probe = (
        "import sys, json, newswatch.cli as cli; cli.build_parser(); "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
