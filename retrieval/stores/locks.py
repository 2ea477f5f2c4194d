"""The ingest lock: one ingest writes to a store at a time, whichever process or host runs it.

* Embedded store: an OS file lock (``filelock``, ``flock`` underneath) beside the database. The
  kernel drops it when its process dies, however it dies, so a killed ingest never blocks the next.
* Chroma server: a lock *collection*. Creating a collection whose name exists fails on the server,
  so creating it is an atomic test-and-set that every host sees. It carries its holder (host, pid)
  and a lease the holder renews after every step; a lock whose lease ran out, or whose holder is a
  dead process on this same host, is taken over. Two waiters can only both take over the same dead
  lock if they read it in the same instant; the loser finds another owner when it next renews
  (after its first step) and stops with a message, having written nothing another ingest would
  not also write (chunk ids are content-addressed).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retrieval.stores.base import StoreBusy, StoreError

log = logging.getLogger(__name__)

# How often a waiting ingest looks at the lock again.
_POLL_SECONDS = 0.5


def owner_record(owner: str, lease: float) -> dict[str, Any]:
    now = time.time()
    return {
        "owner": owner,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": now,
        "expires": now + lease,
    }


def describe_holder(record: dict[str, Any]) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(record.get("since", 0))))
    return f"pid {record.get('pid', '?')} on {record.get('host', '?')}, since {since}"


def holder_is_dead(record: dict[str, Any]) -> bool:
    """The holder is a process on this host that no longer exists (killed, crashed)."""
    if record.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(record.get("pid", 0)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, OverflowError):
        return False
    return False


class _Held:
    """What the ``with`` of a lock yields: ``renew()`` is called by ingest after every step."""

    def __init__(self, renew: Callable[[], None] | None = None) -> None:
        self._renew = renew

    def renew(self) -> None:
        if self._renew is not None:
            self._renew()


@contextmanager
def file_lock(path: Path, owner: str, wait: float) -> Iterator[_Held]:
    """An OS file lock at ``path``; the holder's description is kept beside it for messages."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    about = path.with_name(path.name + ".holder")
    started = time.monotonic()
    while True:
        try:
            lock.acquire(timeout=_POLL_SECONDS * 4)
            break
        except Timeout:
            holder = _read_holder(about)
            if wait and time.monotonic() - started >= wait:
                raise StoreBusy(
                    f"Another ingest is writing to this store ({holder}); waited {wait:g} s. "
                    "Try again when it has finished, or raise NEWSDESK_INGEST_LOCK_WAIT."
                ) from None
            if time.monotonic() - started < _POLL_SECONDS * 5:
                log.warning("Waiting for another ingest into this store to finish (%s)", holder)
    try:
        about.write_text(json.dumps(owner_record(owner, 0)), encoding="utf-8")
        yield _Held()
    finally:
        lock.release()


def file_lock_holder(path: Path) -> str | None:
    """Who holds the file lock at ``path`` now, or ``None`` if nobody does."""
    from filelock import FileLock, Timeout

    if not path.exists():
        return None
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return _read_holder(path.with_name(path.name + ".holder"))
    lock.release()
    return None


def _read_holder(path: Path) -> str:
    try:
        return describe_holder(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return "holder unknown"


class LeaseLock:
    """The Chroma-server lock: a collection named ``name`` created by its holder.

    ``call(what, fn)`` runs one server call with the store's timeout and error wording.
    """

    def __init__(
        self,
        client: Any,
        name: str,
        call: Callable[[str, Callable[[], Any]], Any],
        *,
        owner: str,
        wait: float,
        lease: float,
    ) -> None:
        self.client = client
        self.name = name
        self.call = call
        self.token = f"{owner}:{uuid.uuid4().hex[:12]}"
        self.wait = wait
        self.lease = lease

    def _record(self) -> dict[str, Any] | None:
        """The lock's current holder, or ``None`` if nobody holds it."""
        try:
            collection = self.call(
                "read the ingest lock", lambda: self.client.get_collection(self.name)
            )
        except StoreError as exc:
            if _not_found(exc):
                return None
            raise
        return dict(collection.metadata or {})

    def _create(self) -> bool:
        record = owner_record(self.token, self.lease)
        try:
            self.call(
                "take the ingest lock",
                lambda: self.client.create_collection(
                    self.name, metadata=record, embedding_function=None
                ),
            )
        except StoreError as exc:
            if "exist" in str(exc).lower():
                return False
            raise
        return True

    def acquire(self) -> None:
        started = time.monotonic()
        told = False
        while True:
            if self._create():
                return
            record = self._record()
            if record is None:
                continue  # released between our two calls
            if holder_is_dead(record) or float(record.get("expires", 0)) < time.time():
                log.warning(
                    "Taking over the ingest lock of an ingest that stopped (%s)",
                    describe_holder(record),
                )
                again = self._record()
                if again is not None and again.get("owner") == record.get("owner"):
                    self._delete()
                continue
            if self.wait and time.monotonic() - started >= self.wait:
                raise StoreBusy(
                    f"Another ingest is writing to this store ({describe_holder(record)}); "
                    f"waited {self.wait:g} s. Try again when it has finished, or raise "
                    "NEWSDESK_INGEST_LOCK_WAIT."
                )
            if not told:
                log.warning(
                    "Waiting for another ingest into this store to finish (%s)",
                    describe_holder(record),
                )
                told = True
            time.sleep(_POLL_SECONDS)

    def live_holder(self) -> str | None:
        """The holder of a lock that is alive (lease running, holder not dead), or ``None``."""
        record = self._record()
        if record is None or holder_is_dead(record):
            return None
        if float(record.get("expires", 0)) < time.time():
            return None
        return describe_holder(record)

    def renew(self) -> None:
        record = self._record()
        if record is None or record.get("owner") != self.token:
            holder = describe_holder(record) if record else "nobody"
            raise StoreError(
                f"This ingest lost the store's ingest lock (now held by {holder}); stopped. "
                "Run it again: it carries on where it stopped."
            )
        record["expires"] = time.time() + self.lease
        self.call(
            "renew the ingest lock",
            lambda: self.client.get_collection(self.name).modify(metadata=record),
        )

    def _delete(self) -> None:
        try:
            self.call("release the ingest lock", lambda: self.client.delete_collection(self.name))
        except StoreError as exc:
            if not _not_found(exc):
                raise

    def release(self) -> None:
        record = self._record()
        if record is not None and record.get("owner") == self.token:
            self._delete()

    @contextmanager
    def held(self) -> Iterator[_Held]:
        self.acquire()
        try:
            yield _Held(self.renew)
        finally:
            try:
                self.release()
            except StoreError as exc:  # the lease runs out by itself: say so, do not mask
                log.warning("Could not release the ingest lock: %s", exc)


def _not_found(exc: Exception) -> bool:
    text = str(exc).lower()
    return "does not exist" in text or "not found" in text or "notfound" in text
