"""The sync engine: decides what to pull, merge, push and create; backends only carry it out."""
