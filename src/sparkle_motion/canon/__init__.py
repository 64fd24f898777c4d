"""Canon: the truth layer and the gate that guards it."""
