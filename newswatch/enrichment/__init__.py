"""The enrich stage: relevance, summaries, entities, embeddings and stance.

Models load from installed packages or local folders only: the Hugging Face libraries are
told so here, before any module of this package imports them (they read these variables
when they load). This is the one place Newswatch writes to the environment.
"""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
