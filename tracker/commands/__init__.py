"""Click commands, one module per command family, registered lazily by tracker.cli."""
