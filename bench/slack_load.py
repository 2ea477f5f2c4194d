"""Load check for the Slack HTTP endpoint: N concurrent signed mentions, ack latency, exactly once.

Runs everything locally: the fake Slack Web API (``tests/fakes/slack_api.py``) on 127.0.0.1, the
bot's real WSGI endpoint under waitress, and the real answering core with the offline extractive
generator over ``seeds/`` (``--core canned`` swaps in a fixed answer to time the Slack layer
alone). All N mentions are released at the same instant; each HTTP response time is the ack
latency Slack would see (it retries after 3 s). Then every mention must get exactly one answer
in its own thread.

    .venv/bin/python bench/slack_load.py            # 50 mentions, real core
    .venv/bin/python bench/slack_load.py -n 200 --core canned --retries

Exit status 1 when the ack p99 exceeds the target (100 ms) or any mention was not answered
exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.settings import Settings  # noqa: E402
from bot.slack.app import create_app  # noqa: E402
from bot.slack.runner import make_http_server  # noqa: E402
from bot.types import Answer, Citation, Turn  # noqa: E402
from tests.fakes.slack_api import (  # noqa: E402
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    event_callback,
    sign,
)

TARGET_P99_MS = 100.0
QUESTIONS = [
    "What did Boris Johnson say about Russia?",
    "Who could face sanctions according to the G7 meeting?",
    "Where did the G7 foreign ministers meet?",
    "What did Johnson say about Assad?",
    "What choice does Russia have?",
]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def canned(question: str, history: Sequence[Turn]) -> Answer:
    cite = Citation(1, "a1", "G7 meeting", "ITV News", "https://news.example/1", "2017-04-10")
    return Answer(question, "Johnson warned Russia [1].", "answered", (cite,), prompt_id="bench")


def real_core(settings: Settings) -> tuple[Callable[[str, Sequence[Turn]], Answer], float]:
    from bot.wiring import build_answerer, build_knowledge_base

    started = time.perf_counter()
    kb = build_knowledge_base(settings)
    kb.ingest(REPO / "seeds")
    answerer = build_answerer(settings, kb)
    answerer.answer(QUESTIONS[0])  # warm up: model weights, prompt, generator
    return (lambda q, h: answerer.answer(q, h)), time.perf_counter() - started


def serve_bot(
    port_queue: Any, api_url: str, core: str, threads: int, workers: int, store: str
) -> None:
    """The bot's own process (as in production): real WSGI endpoint, real core, fake Slack."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        slack_api_url=api_url,
        store_path=Path(store) / "store",
        feedback_path=Path(store) / "feedback.db",
        generator="extractive",
        slack_rate_limit_per_minute=0,
    )
    answer_fn, setup_s = real_core(settings) if core == "real" else (canned, 0.0)
    app = create_app(settings, answer_fn, workers=workers)
    server = make_http_server(app, "127.0.0.1", 0, threads=threads)
    port_queue.put((server.effective_port, setup_s))
    server.run()


async def burst(
    port: int, requests: list[bytes], retry_requests: list[bytes], cold: bool = False
) -> tuple[list[tuple[int, float]], list[int]]:
    """Send every request at once; (status, ms from sending to the full response) per request.

    Connections are opened first (as an HTTP client with a connection pool would have them), so
    the time is the bot's: reading, verifying, dispatching and acknowledging. ``cold`` opens each
    connection inside the timed part instead.
    """

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", port)

    async def one(raw: bytes, conn: Any) -> tuple[int, float]:
        started = time.perf_counter()
        reader, writer = conn if conn is not None else await connect()
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
        elapsed = (time.perf_counter() - started) * 1000
        writer.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        return status, elapsed

    async def send_all(raws: list[bytes]) -> list[tuple[int, float]]:
        conns = [None] * len(raws) if cold else await asyncio.gather(*(connect() for _ in raws))
        await asyncio.sleep(0.2)  # let the server accept them all before the burst
        return list(await asyncio.gather(*(one(r, c) for r, c in zip(raws, conns, strict=True))))

    results = await send_all(requests)
    retries = await send_all(retry_requests) if retry_requests else []
    return results, [status for status, _ in retries]


def burst_process(
    outcome: Any, port: int, requests: list[bytes], retry_requests: list[bytes], cold: bool
) -> None:
    outcome.put(asyncio.run(burst(port, requests, retry_requests, cold)))


def http_request(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def signed(port: int, event: dict[str, Any], event_id: str, retry: int | None) -> bytes:
    body = json.dumps(event_callback(event, event_id=event_id)).encode()
    ts = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SIGNING_SECRET, ts, body)}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return http_request(port, body, headers)


def run(
    n: int, core: str, retries: bool, threads: int, workers: int, cold: bool = False
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        ports = context.Queue()
        bot = context.Process(
            target=serve_bot,
            args=(ports, slack.base_url, core, threads, workers, tmp),
            daemon=True,
        )
        bot.start()
        try:
            port, setup_s = ports.get(timeout=300)
            events = [
                {
                    "type": "app_mention",
                    "user": f"UUSER{i:04d}",
                    "text": f"<@{BOT_USER_ID}> {QUESTIONS[i % len(QUESTIONS)]}",
                    "ts": slack.next_ts(),
                    "channel": "C0000001",
                }
                for i in range(n)
            ]
            ids = ["Ev" + e["ts"].replace(".", "") for e in events]
            # Signed in advance, so that the burst measures the bot and not the signing.
            requests = [signed(port, e, i, None) for e, i in zip(events, ids, strict=True)]
            again = [signed(port, e, i, 1) for e, i in zip(events, ids, strict=True)]
            started = time.monotonic()
            # The sender gets a process of its own: in the fake Slack's process its timings would
            # include waiting for the fake's threads (which serve the bot's Web API calls).
            outcome = context.Queue()
            sender = context.Process(
                target=burst_process,
                args=(outcome, port, requests, again if retries else [], cold),
            )
            sender.start()
            results, retry_statuses = outcome.get(timeout=120)
            sender.join(10)
            wanted = {e["ts"] for e in events}

            def answered() -> bool:
                return {c.body.get("thread_ts") for c in slack.posted()} >= wanted

            slack.wait_for(answered, timeout=300, message=f"{n} answers")
            all_done = time.monotonic() - started
            time.sleep(1.0)  # anything answered twice would show up now
            posts = slack.posted()
            per_thread = Counter(c.body.get("thread_ts") for c in posts)
            answer_ms = sorted((c.at - started) * 1000 for c in posts)
            # An error notice is a reply too, but not an answer.
            errors = sum(1 for c in posts if str(c.body.get("text", "")).startswith(":warning:"))
            reactions = (
                len(slack.calls_to("reactions.add")),
                len(slack.calls_to("reactions.remove")),
            )
        finally:
            bot.terminate()
            bot.join(10)
            ports.close()

    acks = [ms for _, ms in results]
    statuses = Counter(status for status, _ in results)
    return {
        "mentions": n,
        "core": core,
        "setup_s": round(setup_s, 1),
        "threads": threads,
        "connections": "cold" if cold else "pre-opened",
        "workers": workers,
        "http_200": statuses.get(200, 0),
        "retries_200": sum(1 for s in retry_statuses if s == 200) if retries else None,
        "ack_ms": {
            "p50": percentile(acks, 50),
            "p90": percentile(acks, 90),
            "p99": percentile(acks, 99),
            "max": max(acks),
            "mean": statistics.fmean(acks),
        },
        "answered_exactly_once": sum(1 for ts in wanted if per_thread.get(ts) == 1),
        "answered_twice_or_more": sum(1 for ts in wanted if per_thread.get(ts, 0) > 1),
        "not_answered": sum(1 for ts in wanted if ts not in per_thread),
        "error_replies": errors,
        "answer_ms": {"p50": percentile(answer_ms, 50), "p99": percentile(answer_ms, 99)},
        "all_answered_s": round(all_done, 2),
        "reactions_added_removed": reactions,
    }


def print_table(r: dict[str, Any]) -> None:
    ack = r["ack_ms"]
    rows = [
        ("mentions sent (concurrently)", str(r["mentions"])),
        (
            "answering core",
            r["core"] + (f" (setup {r['setup_s']} s)" if r["core"] == "real" else ""),
        ),
        ("connections", r["connections"]),
        ("acks with HTTP 200", str(r["http_200"])),
    ]
    if r["retries_200"] is not None:
        rows.append(("retried deliveries acked 200", str(r["retries_200"])))
    rows += [
        ("ack latency p50", f"{ack['p50']:.1f} ms"),
        ("ack latency p90", f"{ack['p90']:.1f} ms"),
        ("ack latency p99", f"{ack['p99']:.1f} ms (target <= {TARGET_P99_MS:.0f} ms)"),
        ("ack latency max", f"{ack['max']:.1f} ms"),
        ("answered exactly once", f"{r['answered_exactly_once']} / {r['mentions']}"),
        ("answered more than once", str(r["answered_twice_or_more"])),
        ("not answered", str(r["not_answered"])),
        ("error replies among them", str(r["error_replies"])),
        (
            "answer posted p50 / p99 (from burst)",
            f"{r['answer_ms']['p50']:.0f} / {r['answer_ms']['p99']:.0f} ms",
        ),
        ("all answered after", f"{r['all_answered_s']} s"),
        ("working indicator added / removed", "{} / {}".format(*r["reactions_added_removed"])),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=50, help="concurrent mentions (default 50)")
    parser.add_argument("--core", choices=["real", "canned"], default="real")
    parser.add_argument("--retries", action="store_true", help="redeliver every event once")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="answering threads (default 4)")
    parser.add_argument(
        "--cold", action="store_true", help="open each connection inside the timed part"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args(argv)
    # waitress warns about its queue depth, which is exactly the burst this benchmark creates.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    result = run(args.n, args.core, args.retries, args.threads, args.workers, args.cold)
    print_table(result)
    if args.json:
        print(json.dumps(result, indent=2))
    ok = (
        result["ack_ms"]["p99"] <= TARGET_P99_MS
        and result["answered_exactly_once"] == args.n
        and result["http_200"] == args.n
        and result["error_replies"] == 0
    )
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
