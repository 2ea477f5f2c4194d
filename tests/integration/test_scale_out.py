"""Newsdesk scaled out, every part its own process on 127.0.0.1: one real ``chroma run`` server,
one real ``redis-server``, two bot replicas (``newsdesk slack --http``) and ``newsdesk ingest``
runs, with the fake Slack Web API standing in for Slack (issue 10, point 7).

* 100 mentions, 30 of them delivered a second time to the other replica as Slack's retry, racing
  the first delivery: each is answered exactly once.
* An article ingested by another process is found by both replicas at their next question
  after ``NEWSDESK_STORE_CHECK_SECONDS``, without a restart.
* A replica SIGKILLed while it holds an acknowledged question (its generator stalls): the
  other takes the question over after ``NEWSDESK_HANDOFF_RECLAIM_SECONDS`` and answers it, once,
  in the thread; the same for a ``/ask`` through its ``response_url``.
* A replica SIGKILLed mid-burst: the other keeps answering, what Slack would retry (deliveries
  that got no acknowledgement) is answered by the survivor, what the dead one had acknowledged
  is taken over, and nothing is answered twice or lost.

The replicas are started once for the module (each takes 10-30 s to warm up on a loaded 2-core
machine); the kill test is last and kills one of them.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.chroma_server import ChromaServer
from tests.integration.scale_cluster import (
    CHANNEL,
    Delivery,
    Replica,
    burst,
    ingest,
    mentions,
    posted_by,
    replica_env,
    start_replica,
    store_env,
    tally,
    wait_answered,
    wait_ready,
    with_duplicates,
)
from tests.redis_server import redis_server
from tests.support import REPO, SEEDS

pytestmark = pytest.mark.slow

QUESTIONS = [
    "What did Boris Johnson say about Russia?",
    "Who could face sanctions according to the G7 meeting?",
    "Where did the G7 foreign ministers meet?",
    "What did Johnson say about Assad?",
    "What choice does Russia have?",
]
NEW_TITLE = "Harbour board approves the Velkaron tidal barrier"
NEW_ARTICLE = f"""{NEW_TITLE}
The harbour board of Saltmere approved the Velkaron tidal barrier on Tuesday. The barrier will
cost 212 million euros and is due to close the estuary against storm surges from 2031.

Board chair Ingrid Haavik said the Velkaron barrier would protect four thousand homes. Fishing
crews asked for a lock wide enough for their boats, and the board agreed to add one.
"""
NEW_QUESTION = "How much will the Velkaron tidal barrier cost?"
# The replicas check the store's version at most this often (docs/deploy.md).
STORE_CHECK_SECONDS = 2.0
# A replica silent this long loses its questions to the others (docs/deploy.md; default 30 s).
RECLAIM_SECONDS = 3.0


@dataclass
class Cluster:
    slack: FakeSlack
    chroma: ChromaServer
    one: Replica
    two: Replica
    ingest_env: dict[str, str]
    folder: Path
    redis_url: str


@pytest.fixture(scope="module")
def cluster(
    chroma_server: ChromaServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("scale_out")
    # The ingest host: its own keyword cache folder, nothing shared with the replicas but Chroma.
    ingest_env = store_env(chroma_server.host, chroma_server.port, folder / "ingest_host")
    ingest(SEEDS, ingest_env, folder)
    (folder / "redis").mkdir()
    with redis_server(folder / "redis") as redis_url, FakeSlack() as slack:
        replicas = [
            start_replica(
                name,
                replica_env(slack, chroma_server.host, chroma_server.port, redis_url, folder / name)
                | {
                    "NEWSDESK_STORE_CHECK_SECONDS": str(STORE_CHECK_SECONDS),
                    "NEWSDESK_HANDOFF_RECLAIM_SECONDS": str(RECLAIM_SECONDS),
                },
                folder / name,
            )
            for name in ("replica-1", "replica-2")
        ]
        try:
            wait_ready(replicas)
            yield Cluster(
                slack, chroma_server, replicas[0], replicas[1], ingest_env, folder, redis_url
            )
        finally:
            for replica in replicas:
                replica.stop()


def test_a_burst_with_retries_on_the_other_replica_is_answered_exactly_once(
    cluster: Cluster,
) -> None:
    items = mentions(cluster.slack, QUESTIONS, 100, "A")
    deliveries = with_duplicates(items, [cluster.one, cluster.two])
    retries = [d for d in deliveries if d.retry_num]
    assert len(retries) == 30
    assert all(
        d.replica is not r.replica
        for d in deliveries
        for r in retries
        if d.mention is r.mention and not d.retry_num
    )

    outcomes = burst(deliveries)
    assert [o.status for o in outcomes] == [200] * len(deliveries)
    result = wait_answered(cluster.slack, items, timeout=240)
    assert result.answered_twice(items) == []
    assert len(result.answered_once(items)) == 100
    assert result.errors == 0
    # Both replicas answered: each what was first delivered to it, or what its retry won.
    by_one, by_two = posted_by(cluster.slack, cluster.one), posted_by(cluster.slack, cluster.two)
    retried = {r.mention.ts for r in retries}
    assert {m.ts for m in items[0::2]} - retried <= by_one
    assert {m.ts for m in items[1::2]} - retried <= by_two
    assert not by_one & by_two


def ask(cluster: Cluster, replica: Replica, question: str, tag: str) -> str:
    """One mention to ``replica``; the text of its answer (answer and sources)."""
    [mention] = mentions(cluster.slack, [question], 1, tag)
    assert replica.sender.event(mention.event(), event_id=mention.event_id).status == 200
    wait_answered(cluster.slack, [mention], timeout=60, settle=0)
    [post] = [c for c in cluster.slack.posted() if c.body.get("thread_ts") == mention.ts]
    assert mention.ts in posted_by(cluster.slack, replica)
    return post.all_text()


def test_an_article_ingested_by_another_process_is_found_by_both_replicas(
    cluster: Cluster,
) -> None:
    # Before the ingest neither replica knows the barrier: this is what must change.
    for i, replica in enumerate((cluster.one, cluster.two)):
        before = ask(cluster, replica, NEW_QUESTION, f"B{i}")
        assert NEW_TITLE not in before and "212 million" not in before

    articles = cluster.folder / "new_articles"
    articles.mkdir()
    (articles / "velkaron.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    ingest(articles, cluster.ingest_env, cluster.folder)
    time.sleep(STORE_CHECK_SECONDS + 0.5)

    for i, replica in enumerate((cluster.one, cluster.two)):
        after = ask(cluster, replica, NEW_QUESTION, f"C{i}")
        assert "212 million euros" in after, after
        assert NEW_TITLE in after, after
        assert replica.process.poll() is None  # the same process, not restarted


def slow_replica(cluster: Cluster, name: str, marker: Path, seconds: float = 600) -> Replica:
    """A third replica whose generator writes ``marker`` and then stalls (the ``slow``
    generator of tests/fakes, registered by a sitecustomize on its PYTHONPATH only)."""
    env = replica_env(
        cluster.slack,
        cluster.chroma.host,
        cluster.chroma.port,
        cluster.redis_url,
        cluster.folder / name,
    )
    env |= {
        "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "fakes" / "slow_site"), str(REPO)]),
        "NEWSDESK_GENERATOR": "slow",
        "NEWSDESK_HANDOFF_RECLAIM_SECONDS": str(RECLAIM_SECONDS),
        "SLOW_GENERATOR_MARKER": str(marker),
        "SLOW_GENERATOR_SECONDS": str(seconds),
    }
    replica = start_replica(name, env, cluster.folder / name)
    wait_ready([replica])
    return replica


def wait_for_file(path: Path, replica: Replica, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared:\n{replica.output()}"
        assert replica.process.poll() is None, replica.output()
        time.sleep(0.05)


def test_a_question_acknowledged_by_a_replica_that_dies_is_answered_by_another(
    cluster: Cluster,
) -> None:
    marker = cluster.folder / "slow-reached"
    slow = slow_replica(cluster, "replica-slow", marker)
    try:
        # A mention: acknowledged by the slow replica, which then stalls in its generator.
        [mention] = mentions(cluster.slack, QUESTIONS[:1], 1, "H")
        assert slow.sender.event(mention.event(), event_id=mention.event_id).status == 200
        wait_for_file(marker, slow)
        slow.kill()
        killed = time.monotonic()
        # Slack will not send it again (it was acknowledged): the other replica takes it over.
        result = wait_answered(cluster.slack, [mention], timeout=60, settle=2)
        took = time.monotonic() - killed
        assert len(result.answered_once([mention])) == 1 and result.errors == 0
        # By whichever of the two live replicas looked first, never by the dead one.
        survivors = posted_by(cluster.slack, cluster.one) | posted_by(cluster.slack, cluster.two)
        assert mention.ts in survivors
        assert mention.ts not in posted_by(cluster.slack, slow)
        assert took < RECLAIM_SECONDS + 30, took
        [answer] = [
            p for p in cluster.slack.posted(CHANNEL) if p.body.get("thread_ts") == mention.ts
        ]
        assert "Russia" in answer.all_text()

        # A slash command: answered privately through its response_url by the survivor.
        marker.unlink()
        slow = slow_replica(cluster, "replica-slow-2", marker)
        url = cluster.slack.response_url("handoff")
        response = slow.sender.command(QUESTIONS[0], response_url=url)
        assert response.status == 200 and "Looking that up" in response.body.decode()
        wait_for_file(marker, slow)
        slow.kill()
        deadline = time.monotonic() + 60
        while not [c for c in cluster.slack.calls_to("response_url") if "/handoff" in c.path]:
            assert time.monotonic() < deadline, cluster.one.output()
            time.sleep(0.2)
        time.sleep(2)
        replies = [c for c in cluster.slack.calls_to("response_url") if "/handoff" in c.path]
        assert len(replies) == 1, [r.body for r in replies]
        assert "Russia" in replies[0].all_text()
        print(f"hand-off test: the mention was answered {took:.1f} s after the kill")
    finally:
        slow.kill()


def test_sigterm_finishes_the_answer_in_flight_before_the_replica_exits(cluster: Cluster) -> None:
    """``docker stop`` / a Kubernetes roll: SIGTERM stops the replica taking questions, and the
    answer it is writing is posted by it, before it exits (within NEWSDESK_SHUTDOWN_GRACE_SECONDS,
    default 8 s), not dropped or left for another replica to take over after the reclaim time.
    Before, Python's default SIGTERM killed the process with the answer unwritten."""
    marker = cluster.folder / "slow-drain"
    slow = slow_replica(cluster, "replica-drain", marker, seconds=3)
    try:
        [mention] = mentions(cluster.slack, QUESTIONS[3:4], 1, "T")
        assert slow.sender.event(mention.event(), event_id=mention.event_id).status == 200
        wait_for_file(marker, slow)
        slow.process.send_signal(signal.SIGTERM)
        assert slow.process.wait(30) == 0, slow.output()
        # Posted by the stopping replica itself, once (the others saw it renewed, not orphaned).
        assert mention.ts in posted_by(cluster.slack, slow), slow.output()
        result = wait_answered(cluster.slack, [mention], timeout=10, settle=2 * RECLAIM_SECONDS)
        assert len(result.answered_once([mention])) == 1 and result.errors == 0
        assert "finishing 1 answer" in slow.output()
    finally:
        slow.kill()


def test_a_replica_killed_mid_burst_leaves_the_other_answering(cluster: Cluster) -> None:
    one, two = cluster.one, cluster.two
    items = mentions(cluster.slack, QUESTIONS, 40, "K")
    first_half, second_half = items[:20], items[20:]
    deliveries = with_duplicates(first_half, [one, two])
    outcomes = burst(deliveries)
    # Killed while its share of the first half is still being answered.
    two.kill()
    outcomes += burst([Delivery(m, (one, two)[i % 2]) for i, m in enumerate(second_half)])

    # Slack retries a delivery that got no acknowledgement (here: refused or reset by the dead
    # replica) and the load balancer sends it to the live one.
    unacked = {o.delivery.mention.ts: o.delivery.mention for o in outcomes if o.status != 200}
    acked = {o.delivery.mention.ts for o in outcomes if o.status == 200}
    assert all(o.delivery.replica is two for o in outcomes if o.status != 200)
    assert len(unacked) >= 10  # at least the second half's share of the dead replica
    lost_to_slack = [m for ts, m in unacked.items() if ts not in acked]
    retried = burst([Delivery(m, one, retry_num=1) for m in lost_to_slack])
    assert [o.status for o in retried] == [200] * len(retried)

    # Every question of the second half is answered once, by the survivor: half on first
    # delivery, half as Slack's retry.
    acked_by_two = {
        o.delivery.mention.ts for o in outcomes if o.status == 200 and o.delivery.replica is two
    }
    only_one = [m for m in first_half if m.ts not in acked_by_two]
    result = wait_answered(cluster.slack, second_half + only_one, timeout=180)
    assert len(result.answered_once(second_half + only_one)) == len(second_half + only_one)
    assert result.errors == 0
    assert {m.ts for m in second_half} <= posted_by(cluster.slack, one)
    # What the dead replica had acknowledged (Slack will not send it again) and not answered
    # is taken over by the survivor after the reclaim time: nothing lost, nothing twice.
    try:
        everything = wait_answered(cluster.slack, items, timeout=180)
    except AssertionError as exc:
        missing = [m.ts for m in tally(cluster.slack, items).unanswered(items)]
        raise AssertionError(
            f"{exc}\nunanswered: {missing}\nthe survivor's hand-off log:\n{one.handoff_log()}"
        ) from None
    assert everything.answered_twice(items) == []
    assert everything.unanswered(items) == []
    taken_over = {m.ts for m in first_half if m.ts in acked_by_two} & posted_by(cluster.slack, one)
    assert one.status("/readyz") == 200 and one.process.poll() is None
    print(
        f"kill test: {len(lost_to_slack)} retried to the survivor, {len(taken_over)} of "
        f"{len(acked_by_two)} acknowledged by the killed replica taken over, 0 lost"
    )


def test_the_deploy_guide_lists_the_commands_and_settings_this_test_uses(tmp_path: Path) -> None:
    # docs/deploy.md promises that its N-replica commands are the ones run here: keep it so.
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = guide.split("### Running N replicas in HTTP mode", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line and not line.startswith("#")]
    exported = {
        word.split("=", 1)[0]
        for line in lines
        if line.startswith("export ")
        for word in line.split()
    } - {"export"}
    with FakeSlack() as slack:
        env = replica_env(slack, "127.0.0.1", 8000, "redis://127.0.0.1:6379/0", tmp_path / "r")
    assert exported and exported <= set(env), exported - set(env)
    commands = [line.split()[:2] for line in lines if not line.startswith("export ")]
    assert commands == [
        ["chroma", "run"],  # chroma_server.py: chroma run --path --host --port
        ["redis-server", "--port"],  # tests/redis_server.py, with --save "" --appendonly no
        ["newsdesk", "slack"],  # start_replica: newsdesk slack --http --host --port
        ["newsdesk", "ingest"],  # ingest
    ]
    assert "newsdesk slack --http --host 0.0.0.0 --port 3000" in block
