"""Fakes of external services (LLM APIs, Slack's Web API), faithful to their wire formats."""
