"""Reminders and the weekly digest: comments on the linked issues, recorded so nothing is posted twice."""
