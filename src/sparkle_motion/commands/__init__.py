"""Command groups of the ``sparkle-motion`` CLI that live outside cli.py."""
