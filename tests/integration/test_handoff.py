"""The hand-off of acknowledged questions between replicas (bot/common/handoff.py), against a
real ``redis-server``: two :class:`RedisHandoff` objects are two replicas."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from bot.common.handoff import STREAM, Job, MalformedJob, RedisHandoff

RECLAIM = 0.3


@pytest.fixture()
def client(redis_url: str) -> Iterator[object]:
    import redis

    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def replica(client: object, name: str, **kwargs: float) -> RedisHandoff:
    return RedisHandoff(client, name=name, reclaim_seconds=RECLAIM, **kwargs)  # type: ignore[arg-type]


class Taken:
    """A reclaimer's handler that records what it was given (and answers nothing)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Job, bool]] = []
        self.lock = threading.Lock()

    def __call__(self, job: Job, expired: bool) -> None:
        with self.lock:
            self.jobs.append((job, expired))


def pending(client: object) -> dict[str, str]:
    """Entry id -> owning replica, for every job not finished."""
    rows = client.xpending_range(STREAM, "newsdesk", "-", "+", 1000)  # type: ignore[attr-defined]
    return {r["message_id"].decode(): r["consumer"].decode() for r in rows}


def test_a_job_is_owned_by_its_replica_from_the_moment_it_is_written(client: object) -> None:
    a = replica(client, "a")
    job = a.add("ask", "k1", {"question": "Who?"})
    assert job.id and job.received_ms > 0
    assert pending(client) == {job.id: "a"}
    a.done(job)
    assert pending(client) == {}
    assert client.xlen(STREAM) == 0  # type: ignore[attr-defined]


def test_a_dead_replicas_job_is_taken_over_by_exactly_one_of_two(client: object) -> None:
    dead = replica(client, "dead")
    jobs = [dead.add("ask", f"k{i}", {"question": f"q{i}"}) for i in range(30)]
    time.sleep(RECLAIM + 0.1)
    b, c = replica(client, "b"), replica(client, "c")
    taken_b, taken_c = Taken(), Taken()
    # Both reclaim at the same moment, twice each: each job goes to one of them, once.
    threads = [
        threading.Thread(target=lambda r=r, t=t: [r.reclaim(t) for _ in range(2)])
        for r, t in ((b, taken_b), (c, taken_c))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids_b = [j.id for j, _ in taken_b.jobs]
    ids_c = [j.id for j, _ in taken_c.jobs]
    assert sorted(ids_b + ids_c) == sorted(j.id for j in jobs)
    assert not set(ids_b) & set(ids_c)
    assert all(not expired for _, expired in taken_b.jobs + taken_c.jobs)
    assert set(pending(client).values()) <= {"b", "c"}


def test_a_live_replica_keeps_its_jobs_by_renewing_them(client: object) -> None:
    a, b = replica(client, "a"), replica(client, "b")
    job = a.add("ask", "k", {"question": "q"})
    taken = Taken()
    for _ in range(4):
        time.sleep(RECLAIM / 2)
        assert a.renew() == 1
        b.reclaim(taken)
    assert taken.jobs == [] and pending(client) == {job.id: "a"}
    # It stops renewing (dies): the job is taken over.
    time.sleep(RECLAIM + 0.1)
    b.reclaim(taken)
    assert [j.id for j, _ in taken.jobs] == [job.id]
    # The old owner, had it only stalled, cannot renew it back from the new one.
    assert a.renew() == 0 and pending(client) == {job.id: "b"}


def test_an_answer_is_posted_once_whoever_holds_the_job(client: object) -> None:
    a, b = replica(client, "a"), replica(client, "b")
    job = a.add("answer", "message:C1:1.0", {"question": "q"})
    assert a.claim_post(job)
    # a posted and died before finishing the job: b takes it over, finds it answered, drops it.
    time.sleep(RECLAIM + 0.1)
    taken = Taken()
    assert b.reclaim(taken) == 1
    assert taken.jobs == [] and pending(client) == {}
    assert not b.claim_post(job)  # and nobody may post it again


class Delivered:
    """What the front end says it finds of a marked job's answer (and which jobs it was asked)."""

    def __init__(self, verdict: bool | None) -> None:
        self.verdict = verdict
        self.asked: list[str] = []

    def __call__(self, job: Job) -> bool | None:
        self.asked.append(job.key)
        return self.verdict


@pytest.mark.parametrize("verdict", [True, None])
def test_a_marked_job_whose_answer_arrived_or_cannot_be_checked_is_not_answered_again(
    client: object, verdict: bool | None
) -> None:
    a, b = replica(client, "a"), replica(client, "b")
    job = a.add("answer", "message:C1:2.0", {"question": "q"})
    assert a.claim_post(job)
    time.sleep(RECLAIM + 0.1)
    taken, delivered = Taken(), Delivered(verdict)
    assert b.reclaim(taken, delivered) == 1
    assert delivered.asked == [job.key]
    assert taken.jobs == [] and pending(client) == {}
    assert not b.claim_post(job)


def test_a_job_marked_as_posted_whose_answer_never_arrived_is_answered_by_the_taker(
    client: object, caplog: pytest.LogCaptureFixture
) -> None:
    # a marked the answer as its to post and died before Slack received it: without a look
    # at what arrived, the person would never be answered.
    a, b = replica(client, "a"), replica(client, "b")
    job = a.add("answer", "message:C1:3.0", {"question": "q"})
    assert a.claim_post(job)
    time.sleep(RECLAIM + 0.1)
    taken = Taken()
    with caplog.at_level(logging.WARNING, "newsdesk.handoff"):
        assert b.reclaim(taken, Delivered(False)) == 1
    assert [j.id for j, _ in taken.jobs] == [job.id]
    assert "never arrived" in caplog.text
    assert pending(client) == {job.id: "b"}
    assert b.claim_post(job)  # the taker may post it now, and only the taker
    assert not a.claim_post(job)


def test_a_job_marked_moments_ago_is_left_to_its_owner_for_now(client: object) -> None:
    # The owner stopped renewing, but marked the answer less than the reclaim time ago: it may
    # be posting right now (a slow Slack), so the taker looks again later rather than post too.
    a, b = replica(client, "a"), replica(client, "b")
    job = a.add("answer", "message:C1:4.0", {"question": "q"})
    time.sleep(RECLAIM + 0.1)
    assert a.claim_post(job)
    taken, delivered = Taken(), Delivered(False)
    b.reclaim(taken, delivered)
    assert taken.jobs == [] and job.id in pending(client)
    time.sleep(RECLAIM + 0.1)
    b.reclaim(taken, delivered)
    assert [j.id for j, _ in taken.jobs] == [job.id]


def test_a_job_older_than_the_maximum_age_is_handed_over_as_expired(client: object) -> None:
    a = replica(client, "a")
    b = replica(client, "b", max_age_seconds=0.2)
    a.add("ask", "k", {"question": "q"})
    time.sleep(RECLAIM + 0.1)
    taken = Taken()
    b.reclaim(taken)
    assert [expired for _, expired in taken.jobs] == [True]


def test_a_replaced_job_keeps_when_it_was_received(client: object) -> None:
    a = replica(client, "a")
    received = a.add("event", "k", {"event": {}})
    time.sleep(0.05)
    decided = a.replace(received, "answer", "k", {"question": "q"})
    assert decided.id != received.id and decided.received_ms == received.received_ms
    assert pending(client) == {decided.id: "a"}
    assert client.xlen(STREAM) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fields",
    [
        {"job": "not json"},
        {"job": '{"v": 1, "kind": "ask"}'},
        {"job": '{"v": 99, "kind": "ask", "key": "k", "data": {}}'},
        {"job": '{"v": 1, "kind": "ask", "key": "k", "data": [1]}'},
        {"job": '{"v": 1, "kind": "ask", "key": "k", "data": {}, "received_ms": "soon"}'},
        {"other": "x"},
        {"job": b"\xff\xfe"},
    ],
)
def test_malformed_entries_are_logged_and_discarded(
    client: object, fields: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    a = replica(client, "a")
    good = a.add("ask", "good", {"question": "q"})
    bad = client.xadd(STREAM, fields).decode()  # type: ignore[attr-defined]
    client.xclaim(STREAM, "newsdesk", "dead", 0, [bad], force=True, justid=True)  # type: ignore[attr-defined]
    time.sleep(RECLAIM + 0.1)
    b = replica(client, "b")
    taken = Taken()
    with caplog.at_level(logging.ERROR, "newsdesk.handoff"):
        b.reclaim(taken)
    assert [j.key for j, _ in taken.jobs] == ["good"]
    assert f"Discarding hand-off entry {bad}" in caplog.text
    assert bad not in pending(client) and good.id in pending(client)


def test_a_handler_that_refuses_a_job_or_fails_never_stops_the_reclaimer(
    client: object, caplog: pytest.LogCaptureFixture
) -> None:
    a = replica(client, "a")
    for i in range(3):
        a.add("ask", f"k{i}", {"question": "q"})
    calls: list[str] = []

    def handler(job: Job, expired: bool) -> None:
        calls.append(job.key)
        if job.key == "k0":
            raise MalformedJob("no question")
        if job.key == "k1":
            raise RuntimeError("boom")

    b = replica(client, "b")
    time.sleep(RECLAIM + 0.1)
    b.start(handler)
    try:
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(calls) == ["k0", "k1", "k2"]
        # The two refused jobs are gone; the good one is b's to answer.
        assert list(pending(client).values()) == ["b"]
        assert b._thread is not None and b._thread.is_alive()
    finally:
        b.close()


def test_a_flushed_redis_does_not_stop_the_reclaimer(client: object) -> None:
    a, b = replica(client, "a"), replica(client, "b")
    taken = Taken()
    b.start(taken)
    try:
        client.flushall()  # type: ignore[attr-defined]
        time.sleep(RECLAIM)
        a.add("ask", "k", {"question": "q"})  # recreates the stream and the group
        deadline = time.monotonic() + 10
        while not taken.jobs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [j.key for j, _ in taken.jobs] == ["k"]
    finally:
        b.close()
