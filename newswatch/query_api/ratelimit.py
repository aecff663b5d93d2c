"""In-process token buckets, one per API key.

Each worker process keeps its own buckets, so with N workers a key may send up
to N times the configured rate; that is enough to stop one group from
exhausting the cluster, which is the point.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate_per_second = rate_per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _refilled(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate_per_second)
        bucket.updated = now
        return bucket

    def exhausted(self, key: str) -> bool:
        """Whether ``key`` has no token left (nothing is taken)."""
        with self._lock:
            return self._refilled(key).tokens < 1.0

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds to wait before retrying."""
        with self._lock:
            bucket = self._refilled(key)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            if self.rate_per_second <= 0:
                return math.inf
            return (1.0 - bucket.tokens) / self.rate_per_second
