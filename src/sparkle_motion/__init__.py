"""Sparkle Motion: a story in, a planned, checked, watchable preview video out."""

__version__ = "0.1.0"
