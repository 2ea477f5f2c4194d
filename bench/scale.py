"""Scale-out benchmark: 1 vs 2 bot replicas as separate processes, sharing one Chroma server and
one Redis, answering a burst of signed Slack mentions with Slack retries among them.

Everything runs on 127.0.0.1 as in ``tests/integration/test_scale_out.py``: a real ``chroma run``
server (the seed article ingested by ``newsdesk ingest``), a real ``redis-server``, replicas
started as ``newsdesk slack --http`` (real answering core, extractive generator), and the fake
Slack Web API (``tests/fakes``) that counts the answers. For each replica count, N mentions are
sent at once (32 connections at a time), each to replica ``i % replicas``; 30% of them are
delivered a second time as Slack's retry (``X-Slack-Retry-Num: 1``) to the next replica.

    .venv/bin/python bench/scale.py                 # 100 mentions, 1 then 2 replicas
    .venv/bin/python bench/scale.py -n 40 --json    # and the figures as JSON
    .venv/bin/python bench/scale.py --no-redis      # replicas without Redis: duplicates appear
    .venv/bin/python bench/scale.py --kill          # 2 replicas, one SIGKILLed mid-burst

Reported per replica count: ack latency p50/p99 (the HTTP response time Slack sees; it retries
after 3 s), answers/s (mentions answered / seconds from the burst to the last answer),
duplicates (mentions answered more than once), unanswered and error replies. The replicas share
the machine's cores with each other and with the sender, so on a small machine a second replica
adds resilience more than throughput. Exit status 1 if any mention was answered other than once.

``--kill``, the replica-killed-mid-load scenario: two replicas (``NEWSDESK_HANDOFF_RECLAIM_SECONDS``
= ``--reclaim``), N mentions alternating between them, replica 2 SIGKILLed when half have been
sent; what it did not acknowledge is delivered again to replica 1 (Slack's retry), what it had
acknowledged must be taken over by replica 1 from Redis. Reported: lost questions (target 0),
duplicates (target 0), how many the killed replica had acknowledged, and the seconds from the
kill until the last answer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.integration.chroma_server import start_chroma  # noqa: E402
from tests.integration.scale_cluster import (  # noqa: E402
    Delivery,
    burst,
    ingest,
    mentions,
    percentile,
    replica_env,
    start_replica,
    store_env,
    wait_answered,
    wait_ready,
    with_duplicates,
)
from tests.integration.scale_cluster import tally as tally_answers  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

QUESTIONS = [
    "What did Boris Johnson say about Russia?",
    "Who could face sanctions according to the G7 meeting?",
    "Where did the G7 foreign ministers meet?",
    "What did Johnson say about Assad?",
    "What choice does Russia have?",
]


def run_one(
    count: int, n: int, slack: FakeSlack, host: str, port: int, redis_url: str | None, tmp: Path
) -> dict[str, Any]:
    folder = tmp / f"replicas-{count}"
    replicas = [
        start_replica(
            f"replica-{i + 1}",
            replica_env(slack, host, port, redis_url, folder / f"r{i + 1}"),
            folder / f"r{i + 1}",
        )
        for i in range(count)
    ]
    try:
        ready_s = wait_ready(replicas)
        items = mentions(slack, QUESTIONS, n, f"S{count}")
        deliveries = with_duplicates(items, replicas)
        started = time.monotonic()
        outcomes = burst(deliveries)
        result = wait_answered(slack, items, timeout=600)
    finally:
        for replica in replicas:
            replica.stop()
    acks = [o.seconds * 1000 for o in outcomes]
    elapsed = result.last_post_at - started
    return {
        "replicas": count,
        "mentions": n,
        "deliveries": len(deliveries),
        "retries": len(deliveries) - n,
        "ready_s": round(ready_s, 1),
        "acks_200": sum(1 for o in outcomes if o.status == 200),
        "ack_ms_p50": round(percentile(acks, 50), 1),
        "ack_ms_p99": round(percentile(acks, 99), 1),
        "answers_per_s": round(len(result.answered_once(items)) / elapsed, 2),
        "all_answered_s": round(elapsed, 1),
        "answered_once": len(result.answered_once(items)),
        "duplicates": len(result.answered_twice(items)),
        "unanswered": len(result.unanswered(items)),
        "error_replies": result.errors,
    }


def run_kill(
    n: int, slack: FakeSlack, host: str, port: int, redis_url: str, tmp: Path, reclaim: float
) -> dict[str, Any]:
    folder = tmp / "kill"
    replicas = [
        start_replica(
            f"replica-{i + 1}",
            replica_env(slack, host, port, redis_url, folder / f"k{i + 1}")
            | {"NEWSDESK_HANDOFF_RECLAIM_SECONDS": str(reclaim)},
            folder / f"k{i + 1}",
        )
        for i in range(2)
    ]
    survivor, victim = replicas
    try:
        wait_ready(replicas)
        items = mentions(slack, QUESTIONS, n, "KILL")
        half = n // 2
        outcomes = burst([Delivery(m, replicas[i % 2]) for i, m in enumerate(items[:half])])
        victim.kill()
        killed = time.monotonic()
        outcomes += burst([Delivery(m, replicas[i % 2]) for i, m in enumerate(items[half:])])
        acked = {o.delivery.mention.ts for o in outcomes if o.status == 200}
        acked_by_victim = {
            o.delivery.mention.ts
            for o in outcomes
            if o.status == 200 and o.delivery.replica is victim
        }
        # Slack retries what got no acknowledgement; the load balancer picks the live replica.
        unacked = [m for m in items if m.ts not in acked]
        burst([Delivery(m, survivor, retry_num=1) for m in unacked])
        try:
            result = wait_answered(slack, items, timeout=max(120.0, 4 * reclaim + n))
        except AssertionError:  # timed out: what is still unanswered is lost
            result = tally_answers(slack, items)
        last = result.last_post_at
    finally:
        for replica in replicas:
            replica.stop()
    return {
        "scenario": "replica killed mid-load",
        "mentions": n,
        "reclaim_s": reclaim,
        "acked_by_killed_replica": len(acked_by_victim),
        "retried_by_slack": len(unacked),
        "lost": len(result.unanswered(items)),
        "duplicates": len(result.answered_twice(items)),
        "error_replies": result.errors,
        "last_answer_after_kill_s": round(last - killed, 1),
    }


def run(
    n: int, counts: Sequence[int], use_redis: bool, kill: bool = False, reclaim: float = 5.0
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as name, FakeSlack() as slack:
        tmp = Path(name)
        (tmp / "redis").mkdir()
        with start_chroma(tmp / "chroma") as chroma, redis_server(tmp / "redis") as redis_url:
            ingest(REPO / "seeds", store_env(chroma.host, chroma.port, tmp / "ingest"), tmp)
            if kill:
                return [run_kill(n, slack, chroma.host, chroma.port, redis_url, tmp, reclaim)]
            return [
                run_one(
                    c, n, slack, chroma.host, chroma.port, redis_url if use_redis else None, tmp
                )
                for c in counts
            ]


def print_table(results: list[dict[str, Any]]) -> None:
    rows = [
        ("replicas", "replicas"),
        ("mentions (+ Slack retries)", None),
        ("ready after (s)", "ready_s"),
        ("acks with HTTP 200", "acks_200"),
        ("ack p50 (ms)", "ack_ms_p50"),
        ("ack p99 (ms)", "ack_ms_p99"),
        ("answers/s", "answers_per_s"),
        ("all answered after (s)", "all_answered_s"),
        ("answered exactly once", "answered_once"),
        ("duplicates (answered twice or more)", "duplicates"),
        ("unanswered", "unanswered"),
        ("error replies", "error_replies"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, key in rows:
        if key is None:
            cells = [f"{r['mentions']} (+{r['retries']})" for r in results]
        else:
            cells = [str(r[key]) for r in results]
        print(f"{label:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="mentions per run (default 100)")
    parser.add_argument(
        "--replicas", type=int, nargs="+", default=[1, 2], help="replica counts (default 1 2)"
    )
    parser.add_argument("--no-redis", action="store_true", help="replicas without Redis")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--kill", action="store_true", help="kill one of 2 replicas mid-load")
    parser.add_argument(
        "--reclaim", type=float, default=5.0, help="NEWSDESK_HANDOFF_RECLAIM_SECONDS for --kill"
    )
    args = parser.parse_args(argv)
    if args.kill:
        [result] = run(args.n, [2], True, kill=True, reclaim=args.reclaim)
        for key, value in result.items():
            print(f"{key:<26}  {value}")
        if args.json:
            print(json.dumps(result, indent=2))
        ok = result["lost"] == 0 and result["duplicates"] == 0 and result["error_replies"] == 0
        print("\nPASS" if ok else "\nFAIL")
        return 0 if ok else 1
    results = run(args.n, args.replicas, not args.no_redis)
    print_table(results)
    if args.json:
        print(json.dumps(results, indent=2))
    ok = all(r["answered_once"] == r["mentions"] and r["error_replies"] == 0 for r in results)
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
