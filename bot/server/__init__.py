"""``newsdesk serve``: the answering core behind a small HTTP JSON API, kept warm between
questions, and the client ``newsdesk ask --server URL`` uses.

* :mod:`bot.server.api`: the WSGI application (``POST /ask``, ``POST /search``, ``GET /healthz``,
  ``GET /readyz``); every request is read defensively, every failure is a JSON error.
* :mod:`bot.server.runner`: waitress on a host and port, warming the core in the background.
* :mod:`bot.server.client`: the client (the standard library's ``urllib``: asking a server
  must not load what serving it keeps warm).

The core never imports this package.
"""
