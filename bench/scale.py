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

Reported per replica count: ack latency p50/p99 (the HTTP response time Slack sees; it retries
after 3 s), answers/s (mentions answered / seconds from the burst to the last answer),
duplicates (mentions answered more than once), unanswered and error replies. The replicas share
the machine's cores with each other and with the sender, so on a small machine a second replica
adds resilience more than throughput. Exit status 1 if any mention was answered other than once.
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


def run(n: int, counts: Sequence[int], use_redis: bool) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as name, FakeSlack() as slack:
        tmp = Path(name)
        (tmp / "redis").mkdir()
        with start_chroma(tmp / "chroma") as chroma, redis_server(tmp / "redis") as redis_url:
            ingest(REPO / "seeds", store_env(chroma.host, chroma.port, tmp / "ingest"), tmp)
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
    args = parser.parse_args(argv)
    results = run(args.n, args.replicas, not args.no_redis)
    print_table(results)
    if args.json:
        print(json.dumps(results, indent=2))
    ok = all(r["answered_once"] == r["mentions"] and r["error_replies"] == 0 for r in results)
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
