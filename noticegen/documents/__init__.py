"""Document kinds: one module each, registered in plan.registry (see BUILTIN)."""
