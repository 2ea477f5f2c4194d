"""Newsdesk as several processes on 127.0.0.1, for ``test_scale_out.py`` and ``bench/scale.py``.

The parts are the real ones, each its own process: a ``chroma run`` server, a ``redis-server``,
``newsdesk ingest`` runs, and bot replicas started as ``newsdesk slack --http --host --port``
with the environment ``docs/deploy.md`` describes. Only Slack is fake (``tests/fakes``): the
replicas call its Web API, and mentions reach them as Slack sends them (signed, with Slack's
retry headers when a delivery is repeated).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.slack_api import (
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    Response,
    SlackSender,
)
from tests.redis_server import free_port

REPO = Path(__file__).resolve().parents[2]
CHANNEL = "C0SCALE01"
READY_TIMEOUT_S = 300.0


def newsdesk(*args: str) -> list[str]:
    """The ``newsdesk`` command of this checkout (the console script, run from the source)."""
    return [sys.executable, "-m", "bot.terminal.cli", *args]


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "SLACK_"))}
    env["PYTHONPATH"] = str(REPO)
    env["ANONYMIZED_TELEMETRY"] = "False"
    return env


def store_env(chroma_host: str, chroma_port: int, store: Path) -> dict[str, str]:
    """What every host sets to use one Chroma server (``docs/deploy.md``)."""
    return {
        **base_env(),
        "NEWSDESK_CHROMA_HOST": chroma_host,
        "NEWSDESK_CHROMA_PORT": str(chroma_port),
        "NEWSDESK_CHROMA_TIMEOUT": "30",
        # This host's keyword index cache only; nothing in it is shared.
        "NEWSDESK_STORE_PATH": str(store),
    }


def ingest(path: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``newsdesk ingest PATH`` as its own process; fails loudly with its output."""
    done = subprocess.run(
        newsdesk("ingest", str(path), "-q"),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise AssertionError(f"newsdesk ingest {path} exited {done.returncode}:\n{done.stderr}")
    return done


@dataclass
class Replica:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sender(self) -> SlackSender:
        return SlackSender(self.url + "/slack/events")

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            return 0  # not listening (yet, or any more)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def handoff_log(self) -> str:
        """What this replica logged about taking questions over (for a failure's message)."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in lines if "newsdesk.handoff" in line)[-6000:]

    def kill(self) -> None:
        """SIGKILL: no clean-up, as a crash or an OOM kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_replica(name: str, env: dict[str, str], folder: Path) -> Replica:
    """``newsdesk slack --http --host 127.0.0.1 --port P`` with ``env``; not yet ready."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "replica.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            newsdesk("slack", "--http", "--host", "127.0.0.1", "--port", str(port)),
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Replica(name, port, process, log)


def replica_env(
    slack: FakeSlack, chroma_host: str, chroma_port: int, redis_url: str | None, folder: Path
) -> dict[str, str]:
    env = store_env(chroma_host, chroma_port, folder / "store")
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        # Each replica's Web API calls under its own path, to tell who answered what.
        "NEWSDESK_SLACK_API_URL": slack.base_url_for(folder.name),
        "NEWSDESK_FEEDBACK_PATH": str(folder / "feedback.db"),
        # Every mention here is from its own person; the limit is tested elsewhere.
        "NEWSDESK_SLACK_RATE_LIMIT_PER_MINUTE": "0",
    }
    if redis_url:
        env["NEWSDESK_REDIS_URL"] = redis_url
    return env


def wait_ready(replicas: Iterable[Replica], timeout: float = READY_TIMEOUT_S) -> float:
    """Wait until every replica's ``/readyz`` says 200; the seconds it took."""
    started = time.monotonic()
    waiting = list(replicas)
    while waiting:
        for replica in list(waiting):
            if replica.process.poll() is not None:
                raise AssertionError(
                    f"{replica.name} exited with {replica.process.returncode}:\n{replica.output()}"
                )
            if replica.status("/readyz") == 200:
                waiting.remove(replica)
        if time.monotonic() - started > timeout:
            raise AssertionError(
                f"not ready within {timeout} s: {[r.name for r in waiting]}\n"
                + "\n".join(r.output() for r in waiting)
            )
        time.sleep(0.2)
    return time.monotonic() - started


# --- mentions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    ts: str
    event_id: str
    user: str
    question: str

    def event(self) -> dict[str, Any]:
        return {
            "type": "app_mention",
            "user": self.user,
            "text": f"<@{BOT_USER_ID}> {self.question}",
            "ts": self.ts,
            "channel": CHANNEL,
        }


def mentions(slack: FakeSlack, questions: Sequence[str], n: int, tag: str) -> list[Mention]:
    """``n`` mentions of the bot, each already a message in the channel (as in Slack, where
    ``conversations.replies`` finds a question and the answers under it)."""
    out = []
    for i in range(n):
        ts = slack.next_ts()
        mention = Mention(
            ts, f"Ev{tag}{ts.replace('.', '')}", f"U{tag}{i:05d}", questions[i % len(questions)]
        )
        slack.add_message(CHANNEL, mention.event()["text"], user=mention.user, ts=ts)
        out.append(mention)
    return out


@dataclass(frozen=True)
class Delivery:
    mention: Mention
    replica: Replica
    retry_num: int | None = None  # Slack's X-Slack-Retry-Num on a repeated delivery


@dataclass
class Outcome:
    delivery: Delivery
    status: int  # 0: no HTTP answer at all (refused, reset)
    seconds: float


def deliver(delivery: Delivery) -> Outcome:
    started = time.perf_counter()
    try:
        response: Response = delivery.replica.sender.event(
            delivery.mention.event(),
            event_id=delivery.mention.event_id,
            retry_num=delivery.retry_num,
        )
        return Outcome(delivery, response.status, response.seconds)
    except OSError:
        return Outcome(delivery, 0, time.perf_counter() - started)


def burst(deliveries: Sequence[Delivery], concurrency: int = 32) -> list[Outcome]:
    """Send all of them at once (``concurrency`` connections at a time), as Slack would."""
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(deliver, deliveries))


def with_duplicates(
    items: Sequence[Mention], replicas: Sequence[Replica], every: int = 10, dupes: int = 3
) -> list[Delivery]:
    """Each mention to replica ``i % len(replicas)``; ``dupes`` of every ``every`` delivered a
    second time as Slack's retry (same event id, ``X-Slack-Retry-Num: 1``) to the *next* replica,
    right behind the first delivery so that the two race."""
    out = []
    for i, mention in enumerate(items):
        first = replicas[i % len(replicas)]
        out.append(Delivery(mention, first))
        if i % every < dupes:
            out.append(Delivery(mention, replicas[(i + 1) % len(replicas)], retry_num=1))
    return out


@dataclass
class Tally:
    """What the fake Slack saw for a set of mentions: answers per thread."""

    per_thread: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    last_post_at: float = 0.0

    def answered_once(self, items: Iterable[Mention]) -> list[Mention]:
        return [m for m in items if self.per_thread[m.ts] == 1]

    def answered_twice(self, items: Iterable[Mention]) -> list[Mention]:
        return [m for m in items if self.per_thread[m.ts] > 1]

    def unanswered(self, items: Iterable[Mention]) -> list[Mention]:
        return [m for m in items if self.per_thread[m.ts] == 0]


def posted_by(slack: FakeSlack, replica: Replica) -> set[str]:
    """The threads ``replica`` posted in (its API calls go to ``/FOLDER-NAME/api/``)."""
    prefix = f"/{replica.log.parent.name}/api/"
    return {
        str(c.body.get("thread_ts")) for c in slack.posted(CHANNEL) if c.path.startswith(prefix)
    }


def tally(slack: FakeSlack, items: Iterable[Mention]) -> Tally:
    wanted = {m.ts for m in items}
    result = Tally()
    for call in slack.posted(CHANNEL):
        thread = call.body.get("thread_ts")
        if thread in wanted:
            result.per_thread[thread] += 1
            result.last_post_at = max(result.last_post_at, call.at)
            # An error notice is a reply, but not an answer.
            if str(call.body.get("text", "")).startswith(":warning:"):
                result.errors += 1
    return result


def wait_answered(
    slack: FakeSlack, items: Sequence[Mention], timeout: float, settle: float = 2.0
) -> Tally:
    """Wait until every mention has a reply, then ``settle`` seconds more (for any second one)."""
    slack.wait_for(
        lambda: not tally(slack, items).unanswered(items),
        timeout=timeout,
        message=f"answers to {len(items)} mentions",
    )
    time.sleep(settle)
    return tally(slack, items)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]
