"""The stance labels every stage and tool shares."""
from __future__ import annotations

LABELS: tuple[str, ...] = ("favor", "against", "neutral")
NOT_ADDRESSED = "not_addressed"
# What the stance model predicts per (statement, claim): a stance, or that the claim is not addressed.
MODEL_LABELS: tuple[str, ...] = LABELS + (NOT_ADDRESSED,)
POLAR_LABELS: tuple[str, ...] = ("favor", "against")
