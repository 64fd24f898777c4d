"""The stage runner and the stages it wires together."""
