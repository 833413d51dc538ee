"""Digests, manager summaries and reminders delivered to Slack, Microsoft Teams and e-mail."""
