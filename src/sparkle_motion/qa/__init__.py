"""Quality gates: measure what was rendered, compare with what was planned."""
