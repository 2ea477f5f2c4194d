"""Evaluation of retrieval and answers over a question set (``newsdesk eval``)."""
