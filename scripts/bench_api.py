"""Query API latency benchmark: see newswatch_lab/api_bench.py (``--help`` for options)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newswatch_lab.api_bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
