"""Query API latency benchmark: see query_api/bench.py (``--help`` for options)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from query_api.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
