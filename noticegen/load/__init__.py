"""Readers: YAML with positions, and the project gathered and validated."""
