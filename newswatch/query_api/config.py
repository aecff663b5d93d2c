"""What the query API exposes; its limits and options are ``ApiSettings`` (``NEWSWATCH_API_*``)."""
from __future__ import annotations

# The only indices a group key can ever be granted; everything else is internal.
PUBLIC_INDICES = ("articles", "quotes")
