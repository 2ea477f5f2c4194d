"""What every front end needs around the answering core, whatever it talks to.

* :mod:`bot.common.dedupe`: remembering what was already handled (a protocol, and an in-memory
  implementation; a shared one such as Redis plugs in for several replicas).
* :mod:`bot.common.ratelimit`: questions per person per minute.
* :mod:`bot.common.deadline`: the answer deadline, and failures turned into a plain sentence with a
  reference (the cause goes to the log under the same reference).
* :mod:`bot.common.ttl`: an expiring map (recent answers, answered questions).
* :mod:`bot.common.shared`: which of these live in this process and which in Redis
  (``NEWSDESK_REDIS_URL``, :mod:`bot.common.redis_backends`), for several replicas.
* :mod:`bot.common.feedback`: helpful / not-helpful verdicts, appended to a JSONL file.

Nothing here imports Slack (or any other front end's library).
"""
