"""Offline and LLM answer reports side by side, as a Markdown table (docs/llm.md).

    python bench/llm_compare.py data/eval/answers-seed-offline.json data/eval/answers-seed-llm.json

Each argument is a report written by ``newsdesk eval answers --out``; nothing is answered here,
so the table is exactly what those runs measured. Per report: abstained unanswerable questions,
false abstains, answerable questions answered with every must-mention phrase, coverage by type,
citation support, who wrote the answers shown (the configured generator or the extractive
fallback), the sentences and attributed sentences of the answers the model wrote, the fallbacks
counted by reason, and p50 / p95 answer latency.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def figures(report: dict[str, Any]) -> dict[str, str]:
    """One column of the table: the figures of one report, as text."""
    from bot.citations import parse_draft

    overall = report["aggregates"]["overall"]
    by_type = report["aggregates"]["by_type"]
    records = report["records"]
    answerable = [r for r in records if r["answerable"]]
    complete = sum(1 for r in answerable if r["status"] == "answered" and r["coverage"] == 1.0)
    false_abstains = sum(1 for r in answerable if r["status"] != "answered")
    configured = report["generator"]
    own = [
        r for r in records if r["status"] == "answered" and r["answer"]["generator"] == configured
    ]
    sentences = sum(sum(1 for s in parse_draft(r["answer"]["text"]) if s.keys) for r in own)
    attributed = sum(int(r["answer"].get("attributed", 0)) for r in own)
    reasons = overall.get("fallback_reasons") or {}
    coverage = {
        kind: f"{kind} {_pct(by_type[kind]['coverage'])}"
        for kind in ("single", "multi")
        if kind in by_type
    }
    latency = f"{overall['latency_p50_ms'] / 1000:.1f} / {overall['latency_p95_ms'] / 1000:.1f}"
    out = {
        "generator": configured,
        "abstained (unanswerable)": f"{overall['abstained']}/{overall['unanswerable']}",
        "false abstains": f"{false_abstains}/{overall['answerable']}",
        "answered with every must-mention": f"{complete}/{overall['answerable']}",
        "coverage (must-mention)": " / ".join(coverage.values()) or "-",
        "cited sentences supported": (
            f"{_pct(overall['citation_support'])} of {overall['cited_sentences']}"
            if overall["cited_sentences"]
            else "-"
        ),
        f"answers written by {configured}": (
            f"{len(own)} ({sentences} cited sentences, {attributed} attributed)"
        ),
        "fallbacks": str(overall["fallbacks"]),
    }
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        out[f"fallback: {reason}"] = str(count)
    out["errors"] = str(overall["errors"])
    out["latency p50 / p95 (s)"] = latency
    return out


def table(reports: list[dict[str, Any]], names: list[str]) -> str:
    columns = [figures(r) for r in reports]
    # The fixed rows in order, with every fallback reason any report counted after "fallbacks".
    fixed = [k for k in columns[0] if not k.startswith(("fallback: ", "answers written by"))]
    reasons = sorted({k for c in columns for k in c if k.startswith("fallback: ")})
    at = fixed.index("fallbacks") + 1
    rows = fixed[:at] + reasons + fixed[at:]
    lines = ["| | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    lines.append(
        "| answers written by the configured generator | "
        + " | ".join(
            next(v for k, v in c.items() if k.startswith("answers written by")) for c in columns
        )
        + " |"
    )
    for key in rows:
        if key == "generator":
            continue
        lines.append(f"| {key} | " + " | ".join(c.get(key, "0") for c in columns) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", type=Path, nargs="+", help="eval answers --out files")
    args = parser.parse_args()
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in args.reports]
    names = [f"{r['generator']} ({p.name})" for r, p in zip(reports, args.reports, strict=True)]
    print(table(reports, names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
