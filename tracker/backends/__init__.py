"""Adapters to remote issue trackers; the only package that imports PyGithub or jira."""
