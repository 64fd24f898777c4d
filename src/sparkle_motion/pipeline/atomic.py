"""Moved to :mod:`sparkle_motion.atomic`; kept until its last callers move."""

from sparkle_motion.atomic import copy_atomic, write_atomic

__all__ = ["copy_atomic", "write_atomic"]
