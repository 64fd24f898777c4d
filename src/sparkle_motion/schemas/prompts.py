"""PromptTemplate: a versioned text a provider's prompt is filled from, kept in the registry."""

from __future__ import annotations

import string
from typing import ClassVar

from pydantic import Field, model_validator

from sparkle_motion.schemas.base import Artifact

__all__ = ["PROMPT_SLOTS", "PromptTemplate"]

PROMPT_SLOTS = (
    "action", "characters", "framing", "camera", "location", "setting", "lighting", "style",
)  # fmt: skip
"""The words a template may use, each taken from the shot or the project's style."""


class PromptTemplate(Artifact):
    KIND: ClassVar[str] = "prompt_template"

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    version: int = Field(ge=1)
    model: str = Field(description="the model it was written for ('*' for any)")
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_slots(self) -> PromptTemplate:
        used = {field for _, field, _, _ in string.Formatter().parse(self.text) if field}
        known = set(PROMPT_SLOTS)
        unknown = sorted(used - known)
        if unknown:
            raise ValueError(
                f"unknown slot {{{unknown[0]}}} in prompt template {self.name}; "
                f"known: {', '.join(sorted(known))}"
            )
        return self
