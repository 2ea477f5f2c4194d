"""Terminal front ends: the ``newsdesk`` command line and the REPL."""
