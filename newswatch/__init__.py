"""Newswatch: news and statement monitoring about AI and artists' rights."""

__version__ = "0.1.0"
