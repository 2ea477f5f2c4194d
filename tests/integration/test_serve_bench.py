"""``bench/serve_latency.py``: answers timed through a real ``newsdesk serve`` process."""

from __future__ import annotations

import socket
import urllib.parse

from bench.serve_latency import serve_latency
from retrieval.knowledge_base import KnowledgeBase

QUESTIONS = ["What did Johnson say about Russia?", "Who could face sanctions over Syria?"]


def test_the_serve_bench_times_real_answers_and_stops_its_server(seed_kb: KnowledgeBase) -> None:
    report = serve_latency(
        seed_kb.config.store_path, QUESTIONS, collection=seed_kb.config.collection
    )
    assert report["questions"] == 2 and report["statuses"] == {"answered": 2}
    e2e, own, http = report["e2e"], report["answer_in_server"], report["http"]
    # The wall time here holds the server's own answer time and something more (HTTP, JSON).
    assert e2e["p95_ms"] >= own["p95_ms"] > 0 and e2e["p50_ms"] >= own["p50_ms"] > 0
    assert 0 < http["p50_ms"] <= e2e["p50_ms"]
    assert abs(report["e2e_p95_vs_target"] - e2e["p95_ms"] / 300) < 0.001
    # The server it started is gone: nothing listens on its port any more.
    port = urllib.parse.urlsplit(report["base_url"]).port
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
