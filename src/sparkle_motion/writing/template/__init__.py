"""The deterministic template writer (offline, the default)."""

from sparkle_motion.writing.template.writer import TemplateWriter

__all__ = ["TemplateWriter"]
