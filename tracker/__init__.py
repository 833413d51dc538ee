"""tracker: make postmortem action items actually get done."""

__version__ = "0.1.0"
