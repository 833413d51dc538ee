"""Read postmortem documents into items and store them idempotently."""
