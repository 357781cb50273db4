"""Fixtures for the Python tests: a live `oss-sse serve` emulator and official-SDK clients pointed at it.

The emulator runs as the real binary (`OSS_SSE_BIN`, default target/debug/oss-sse) on 127.0.0.1 with a free
port and a temporary data dir, with root credentials given through OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET,
and is stopped (SIGTERM, then SIGKILL) when the session ends.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import secrets
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

from sdk_clients import CLIENT_KINDS, REGION, make_client
from signing_oracle import oss_sse_bin

START_TIMEOUT_S = 60
LISTENING = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+))\s*$")


@dataclass
class Emulator:
    """A running `oss-sse serve`."""

    endpoint: str  # http://127.0.0.1:PORT
    port: int
    access_key_id: str
    access_key_secret: str
    data_dir: Path
    region: str
    process: subprocess.Popen
    stdout_lines: List[str] = field(default_factory=list)
    stderr_path: Optional[Path] = None

    def stderr(self) -> str:
        if self.stderr_path is None or not self.stderr_path.exists():
            return ""
        return self.stderr_path.read_text(errors="replace")


def _pump(stream, lines: List[str], first: "queue.Queue[Optional[str]]") -> None:
    """Reads the server's stdout to the end (so it can never block on a full pipe); hands over line one."""
    sent = False
    for line in stream:
        lines.append(line)
        if not sent:
            first.put(line)
            sent = True
    if not sent:
        first.put(None)


def start_emulator(data_dir: Path, access_key_id: str, access_key_secret: str, log_dir: Path,
                   extra_args: Sequence[str] = ()) -> Emulator:
    """Starts `oss-sse serve --listen 127.0.0.1:0 --data-dir DIR [extra_args]` and waits for its
    `listening on` line; any other outcome fails the calling test."""
    binary = oss_sse_bin()
    if not os.path.isfile(binary):
        pytest.fail(f"{binary} does not exist: build it first (cargo build -p oss-sse-cli) or set OSS_SSE_BIN")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_")}
    env["OSS_ACCESS_KEY_ID"] = access_key_id
    env["OSS_ACCESS_KEY_SECRET"] = access_key_secret
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = log_dir / "serve.stderr"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data_dir), *extra_args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env, text=True,
        )
    lines: List[str] = []
    first: "queue.Queue[Optional[str]]" = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines, first), daemon=True).start()
    try:
        line = first.get(timeout=START_TIMEOUT_S)
    except queue.Empty:
        stop_emulator(proc)
        pytest.fail(f"oss-sse serve printed nothing within {START_TIMEOUT_S}s; stderr:\n"
                    f"{stderr_path.read_text(errors='replace')}")
    if line is None:
        rc = proc.wait(timeout=10)
        stderr = stderr_path.read_text(errors="replace")
        pytest.fail(f"oss-sse serve exited {rc} before listening; stderr:\n{stderr}")
    m = LISTENING.match(line)
    if not m:
        stop_emulator(proc)
        pytest.fail(f"first stdout line of oss-sse serve is {line!r}, expected 'listening on http://127.0.0.1:PORT'")
    return Emulator(endpoint=m.group(1), port=int(m.group(2)), access_key_id=access_key_id,
                    access_key_secret=access_key_secret, data_dir=data_dir, region=REGION, process=proc,
                    stdout_lines=lines, stderr_path=stderr_path)


def stop_emulator(proc: subprocess.Popen, grace_s: float = 15) -> Optional[int]:
    """SIGTERM, then SIGKILL if it has not exited within `grace_s`; returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One emulator for the session (tests use their own buckets)."""
    base = tmp_path_factory.mktemp("emulator")
    data_dir = base / "data"
    data_dir.mkdir()
    emu = start_emulator(data_dir, "LTAI5tEmulatorRoot" + secrets.token_hex(4), secrets.token_urlsafe(30),
                         base / "logs")
    try:
        yield emu
    finally:
        stop_emulator(emu.process)


_bucket_counter = itertools.count(1)


def new_bucket_name(tag: str = "b") -> str:
    """A fresh valid bucket name (3-63 of a-z, 0-9, '-')."""
    tag = re.sub(r"[^a-z0-9-]", "-", tag.lower()).strip("-") or "b"
    return f"t{next(_bucket_counter):04d}-{tag}"[:63].rstrip("-")


@pytest.fixture(params=CLIENT_KINDS)
def client(request, emulator):
    """Each official SDK / signature version in turn, as the emulator's root account."""
    return make_client(request.param, emulator.endpoint, emulator.access_key_id, emulator.access_key_secret)


@pytest.fixture
def bucket(client):
    """A new, empty bucket created by the client under test."""
    name = new_bucket_name(client.name)
    client.create_bucket(name)
    return name
