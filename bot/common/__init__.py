"""What every front end needs around the answering core, whatever it talks to.

Shared state sits behind small protocols, each with an in-memory implementation for one process;
a shared one (Redis, for several replicas) plugs in through the same methods:

* :mod:`bot.common.dedupe`: remembering what was already handled (``Dedupe``: ``claim``).
* :mod:`bot.common.ratelimit`: questions per person per minute (``Limiter``: ``acquire``).
* :mod:`bot.common.ttl`: recent things by key (``KeyValueCache``: ``get`` / ``put``).
* :mod:`bot.common.shared`: which of these live in this process and which in Redis
  (``NEWSDESK_REDIS_URL``, :mod:`bot.common.redis_backends`), for several replicas.
* :mod:`bot.common.handoff`: questions acknowledged and not yet answered, kept in Redis so that
  another replica answers them when the one that acknowledged them dies (``Handoff``).

And:

* :mod:`bot.common.deadline`: the answer deadline, and failures turned into a plain sentence with a
  reference (the cause goes to the log under the same reference).
* :mod:`bot.common.feedback`: helpful / not-helpful verdicts, kept in a database (SQLAlchemy).

Nothing here imports Slack (or any other front end's library).
"""
