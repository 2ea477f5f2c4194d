"""Questions that outlive the replica that acknowledged them (``NEWSDESK_REDIS_URL``).

A replica acknowledges a question (Slack then never sends it again) and answers it afterwards.
When the replica dies in between, the question must not die with it: every job is written to a
Redis Stream (``newsdesk:handoff:jobs``) *before* the acknowledgement, pending under the replica
that took it in the stream's consumer group, and removed (``XACK`` + ``XDEL``) once the person
has been answered.

* **Claiming.** A job is added and claimed by its replica in one step (a script: ``XADD`` then
  ``XCLAIM ... FORCE``), so no job is ever in the stream without an owner. Each replica's reclaimer
  thread renews its own jobs (``XCLAIM`` of only the entries it still owns, which resets their idle
  time) every third of ``NEWSDESK_HANDOFF_RECLAIM_SECONDS``, and takes over, with ``XAUTOCLAIM``,
  any job idle longer than that: its owner stopped renewing, so it is dead or hung. ``XAUTOCLAIM``
  is atomic on the server: of two replicas reclaiming at once, each job goes to one.
* **Posting once.** Before the first message that answers a job is posted, its replica sets
  ``newsdesk:handoff:posted:<key>`` with ``SET NX``; only the replica that set it posts. A job
  answered but not removed before a crash is found marked by its new owner and removed unanswered.
  A replica killed between setting the mark and Slack receiving the post leaves a mark with no
  answer behind it: the new owner asks the front end (``delivered``: Slack's handler looks for
  the answer in the thread, by the job's key in the message metadata), and when the answer is not
  there and the mark is older than the reclaim time (so no live owner can still be posting it),
  it takes the mark over and answers. When the front end cannot tell (an ``/ask`` answered
  through its ``response_url``), the mark stands: posting twice is the worse failure.
* **Bounded.** A job older than ``NEWSDESK_HANDOFF_MAX_AGE_SECONDS`` (measured on Redis's clock,
  from when it was first received) is not answered any more: the handler is told it expired
  (Slack's handler says sorry where it can) and it is removed with a log line. An entry that cannot
  be read (damaged, or written by another version) is logged and removed; nothing in the stream
  can stop the reclaimer.

Without Redis, :class:`LocalHandoff` keeps nothing: one process either answers or is gone, as it
always was. While Redis is away, jobs are not recorded (the question is answered by its replica as
without Redis) and posting is allowed (fail open, like ``RedisDedupe``).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.common.redis_backends import KEY_PREFIX, _Outage, _redis_errors

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("newsdesk.handoff")

STREAM = f"{KEY_PREFIX}handoff:jobs"
GROUP = "newsdesk"
POSTED = f"{KEY_PREFIX}handoff:posted:"
# How long a "posted" mark is kept: far longer than any job may wait (the maximum age).
POSTED_TTL_SECONDS = 24 * 3600
# The stream is trimmed (approximately) to this many entries, a bound if removals ever fail.
MAX_ENTRIES = 100_000
# Jobs taken over per page of XAUTOCLAIM; the reclaimer reads pages until none is idle.
RECLAIM_PAGE = 20
FORMAT = 1

# KEYS[1] the stream; ARGV: group, consumer, payload, max entries, and optionally an entry to
# finish in the same step (a received question replaced by the answer decided for it).
_ADD = """
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'job', ARGV[3])
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'FORCE', 'JUSTID')
if ARGV[5] and ARGV[5] ~= '' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[5])
  redis.call('XDEL', KEYS[1], ARGV[5])
end
return id
"""

# KEYS[1] the stream; ARGV: group, consumer, ids. Renews (resets the idle time of) the ids this
# consumer still owns; an id another replica took over meanwhile stays with it.
_RENEW = """
local renewed = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    renewed = renewed + 1
  end
end
return renewed
"""


class MalformedJob(ValueError):
    """A job whose content cannot be used; it is logged and discarded."""


@dataclass(frozen=True)
class Job:
    """A question to answer: ``kind`` says how (the front end's business), ``key`` names the
    answer it gets (posted at most once), ``data`` holds what answering it needs (JSON)."""

    kind: str
    key: str
    data: Mapping[str, Any] = field(default_factory=dict)
    # The stream entry ('' when the job is not recorded anywhere) and when the question was
    # first received (milliseconds on Redis's clock; 0 when unknown).
    id: str = ""
    received_ms: int = 0

    def payload(self) -> str:
        body = {"v": FORMAT, "kind": self.kind, "key": self.key, "data": dict(self.data)}
        if self.received_ms:
            body["received_ms"] = self.received_ms
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def parse_job(entry_id: str, fields: Mapping[Any, Any] | None) -> Job:
    """The :class:`Job` of a stream entry; :class:`MalformedJob` when it is not one."""
    if not fields:
        raise MalformedJob("the entry is gone or empty")
    raw = fields.get(b"job", fields.get("job"))
    if raw is None:
        raise MalformedJob("the entry has no job field")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJob(f"the job is not JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("v") != FORMAT:
        raise MalformedJob("the job is not in this version's format")
    kind, key, data = body.get("kind"), body.get("key"), body.get("data")
    received = body.get("received_ms", 0)
    if not (isinstance(kind, str) and kind and isinstance(key, str) and key):
        raise MalformedJob("the job has no kind or key")
    if not isinstance(data, dict) or not isinstance(received, int) or isinstance(received, bool):
        raise MalformedJob("the job's data or time is of the wrong type")
    return Job(kind, key, data, entry_id, received or entry_ms(entry_id))


def entry_ms(entry_id: str) -> int:
    """The time (ms, Redis's clock) in a stream entry id ``<ms>-<seq>``."""
    try:
        return int(entry_id.split("-", 1)[0])
    except ValueError:
        return 0


# handler(job, expired): answer ``job`` (or, ``expired``, say it is too late), off the caller's
# thread, and call ``Handoff.done(job)`` when the person has been told. Raises MalformedJob for a
# job it cannot use.
Handler = Callable[[Job, bool], None]
# delivered(job), for a job whose answer was marked as posted: True when the answer reached the
# person, False when it is known not to have (its replica stopped between marking and posting),
# None when the front end cannot tell.
Delivered = Callable[[Job], "bool | None"]


class Handoff(Protocol):
    def add(self, kind: str, key: str, data: Mapping[str, Any]) -> Job: ...

    def replace(self, job: Job | None, kind: str, key: str, data: Mapping[str, Any]) -> Job: ...

    def claim_post(self, job: Job) -> bool: ...

    def done(self, job: Job | None) -> None: ...

    def start(self, handler: Handler, delivered: Delivered | None = None) -> None: ...

    def close(self) -> None: ...


class LocalHandoff:
    """One process: a job lives as long as the process (as before the hand-off existed)."""

    def add(self, kind: str, key: str, data: Mapping[str, Any]) -> Job:
        return Job(kind, key, data)

    def replace(self, job: Job | None, kind: str, key: str, data: Mapping[str, Any]) -> Job:
        return Job(kind, key, data)

    def claim_post(self, job: Job) -> bool:
        return True

    def done(self, job: Job | None) -> None:
        return None

    def start(self, handler: Handler, delivered: Delivered | None = None) -> None:
        return None

    def close(self) -> None:
        return None


def replica_name() -> str:
    """This process's consumer name: host, pid and a random part (a restarted pid is new)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class RedisHandoff:
    """Jobs in a Redis Stream, owned by replicas, taken over from dead ones (module doc)."""

    def __init__(
        self,
        client: Redis,
        *,
        reclaim_seconds: float = 30.0,
        max_age_seconds: float = 600.0,
        name: str | None = None,
        stream: str = STREAM,
    ) -> None:
        self.client = client
        self.stream = stream
        self.name = name or replica_name()
        self.reclaim_seconds = reclaim_seconds
        self.max_age_seconds = max_age_seconds
        self._add = client.register_script(_ADD)
        self._renew = client.register_script(_RENEW)
        self._errors = _redis_errors()
        self._outage = _Outage("questions are handed over to other replicas")
        self._mine: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ensure_group()

    def _ensure_group(self) -> None:
        import redis

        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # --- the replica's own jobs ------------------------------------------------------------

    def add(self, kind: str, key: str, data: Mapping[str, Any]) -> Job:
        """Record a job owned by this replica (call before acknowledging the question)."""
        return self._write(Job(kind, key, data), finish="")

    def replace(self, job: Job | None, kind: str, key: str, data: Mapping[str, Any]) -> Job:
        """Record the job decided for ``job`` and finish ``job``, in one step."""
        received = job.received_ms if job is not None else 0
        return self._write(Job(kind, key, data, received_ms=received), finish=job.id if job else "")

    def _write(self, job: Job, finish: str) -> Job:
        try:
            raw = self._add(
                keys=[self.stream],
                args=[GROUP, self.name, job.payload(), MAX_ENTRIES, finish],
            )
        except self._errors as exc:
            self._outage.failed(exc)
            return Job(job.kind, job.key, job.data, "", job.received_ms)
        self._outage.ok()
        entry = raw.decode() if isinstance(raw, bytes) else str(raw)
        with self._lock:
            self._mine.discard(finish)
            self._mine.add(entry)
        return Job(job.kind, job.key, job.data, entry, job.received_ms or entry_ms(entry))

    def claim_post(self, job: Job) -> bool:
        """True for the one replica that may post the answer to ``job.key``."""
        try:
            claimed = self.client.set(
                POSTED + job.key, self.name.encode(), nx=True, ex=POSTED_TTL_SECONDS
            )
        except self._errors as exc:
            self._outage.failed(exc)
            return True
        self._outage.ok()
        if not claimed:
            log.info("Job %s (%s) was already answered: not posting it again", job.id, job.key)
        return bool(claimed)

    def _marked_ms_ago(self, key: str) -> int | None:
        """How long ago the answer to ``key`` was marked as posted (None: it was not)."""
        ttl_ms = int(self.client.pttl(POSTED + key))
        if ttl_ms == -2:  # no such key
            return None
        if ttl_ms < 0:  # a mark without expiry (not ours): treat it as old
            return POSTED_TTL_SECONDS * 1000
        return POSTED_TTL_SECONDS * 1000 - ttl_ms

    def done(self, job: Job | None) -> None:
        """The person has been told: the job leaves the stream."""
        if job is None or not job.id:
            return
        with self._lock:
            self._mine.discard(job.id)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.xack(self.stream, GROUP, job.id)
                pipe.xdel(self.stream, job.id)
                pipe.execute()
        except self._errors as exc:
            # Left pending: a reclaimer finds it marked as posted (or answers it) later.
            self._outage.failed(exc)

    # --- the reclaimer ----------------------------------------------------------------------

    def start(self, handler: Handler, delivered: Delivered | None = None) -> None:
        """Start this replica's reclaimer thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, args=(handler, delivered), name="newsdesk-handoff", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self, handler: Handler, delivered: Delivered | None) -> None:
        # A third of the reclaim time: a live replica renews its jobs at least twice before
        # anyone may take them over.
        interval = max(self.reclaim_seconds / 3, 0.1)
        while not self._stop.wait(interval):
            try:
                self.renew()
                self.reclaim(handler, delivered)
            except self._errors as exc:
                if "NOGROUP" in str(exc):  # the stream was removed (FLUSHALL): start afresh
                    self._ensure_group()
                    continue
                self._outage.failed(exc)
            except Exception:  # never let one bad turn end the thread
                log.exception("The hand-off reclaimer failed; trying again in %.1f s", interval)

    def renew(self) -> int:
        """Reset the idle time of the jobs this replica is still working on."""
        with self._lock:
            mine = sorted(self._mine)
        if not mine:
            return 0
        return int(self._renew(keys=[self.stream], args=[GROUP, self.name, *mine]))

    def reclaim(self, handler: Handler, delivered: Delivered | None = None) -> int:
        """Take over every job idle longer than the reclaim time; returns how many."""
        taken = 0
        start = "0-0"
        now_ms = self._now_ms()
        while True:
            reply = self.client.xautoclaim(
                self.stream,
                GROUP,
                self.name,
                min_idle_time=int(self.reclaim_seconds * 1000),
                start_id=start,
                count=RECLAIM_PAGE,
            )
            start = _text(reply[0])
            for entry_id, fields in reply[1]:
                if entry_id is None:
                    continue
                self._take(_text(entry_id), fields, handler, delivered, now_ms)
                taken += 1
            # Redis 7 lists entries that were pending but deleted: nothing to answer there.
            for entry_id in reply[2] if len(reply) > 2 else ():
                self._discard(_text(entry_id), "it was deleted from the stream")
            if start == "0-0":
                return taken

    def _take(
        self,
        entry_id: str,
        fields: Any,
        handler: Handler,
        delivered: Delivered | None,
        now_ms: int,
    ) -> None:
        try:
            job = parse_job(entry_id, fields)
        except MalformedJob as exc:
            self._discard(entry_id, str(exc))
            return
        marked_ms_ago = self._marked_ms_ago(job.key)
        if marked_ms_ago is not None:
            if marked_ms_ago < self.reclaim_seconds * 1000:
                # Its owner may be posting it right now: looked at again after the reclaim time
                # (this replica does not renew it, so anyone may take it then).
                return
            if delivered is None or delivered(job) is not False:
                log.info("Job %s (%s) was answered before its replica stopped", job.id, job.key)
                self.done(job)
                return
            log.warning(
                "Job %s (%s) was marked as answered, but the answer never arrived (its replica "
                "stopped in between): answering it",
                job.id,
                job.key,
            )
            self.client.delete(POSTED + job.key)
        age = (now_ms - job.received_ms) / 1000.0
        expired = age > self.max_age_seconds
        if expired:
            log.warning(
                "Dropping job %s (%s): received %.0f s ago, more than the %.0f s allowed "
                "(NEWSDESK_HANDOFF_MAX_AGE_SECONDS)",
                job.id,
                job.key,
                age,
                self.max_age_seconds,
            )
        else:
            log.warning(
                "Taking over job %s (%s) from a replica that stopped, received %.1f s ago",
                job.id,
                job.key,
                age,
            )
        with self._lock:
            self._mine.add(job.id)
        try:
            handler(job, expired)
        except MalformedJob as exc:
            self._discard(entry_id, str(exc))
        except Exception:
            log.exception("Job %s could not be started; dropping it", job.id)
            self.done(job)

    def _discard(self, entry_id: str, why: str) -> None:
        log.error("Discarding hand-off entry %s: %s", entry_id, why)
        self.done(Job("", "", {}, entry_id))

    def _now_ms(self) -> int:
        seconds, micros = self.client.time()
        return int(seconds) * 1000 + int(micros) // 1000


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
