"""Loopback fake GitHub and Jira servers, for the demo and the tests."""
