"""Packages per hour: the service's in-process pool, then one and two fleet workers.

All on loopback, measured in the same run: ``sparkle-motion serve`` with no
broker (its pool of two threads), then with a Redis broker and one, then two,
``sparkle-motion worker`` processes (one task at a time each). Each mode
renders the same number of distinct RenderPackages (4 shots of 1 s at
320x180, silent voices) from a fresh artifact root, submitted at once, and
the wall time until the last one completes gives packages per hour.

    python benchmarks/fleet_bench.py [--packages 12] [--broker redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_packages import free_port, inputs

from sparkle_motion.schemas import RenderProfile

KEY = "bench-operator-key-0001"
HEADERS = {"Authorization": f"Bearer {KEY}"}
PROFILE = RenderProfile(name="bench", width=320, height=180, crf=28, preset="veryfast", slate=False)
SHOTS = 4


def environment(root: Path, broker: str | None, site: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKLE_")}
    env["SPARKLE_API_KEYS"] = json.dumps({KEY: {"tenant_id": "bench", "role": "operator"}})
    env["SPARKLE_ARTIFACT_ROOT"] = str(root)
    env["SPARKLE_WORKERS"] = "2"
    env["SPARKLE_QUOTA_CONCURRENT_JOBS"] = "2"
    env["SPARKLE_SITE_ID"] = site
    if broker:
        env["SPARKLE_BROKER_URL"] = broker
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sparkle_motion.cli", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def measure(work: Path, packages: int, broker: str | None, workers: int) -> float:
    """Seconds from submitting ``packages`` at once until the last one completed."""
    site = f"bench{workers}{os.getpid()}"
    env = environment(work / "data", broker, site)
    port = free_port()
    env["SPARKLE_PORT"] = str(port)
    url = f"http://127.0.0.1:{port}"
    processes = [
        start(["worker", "--name", f"w{n}@bench"], env, work / f"w{n}.log") for n in range(workers)
    ]
    server = start(["serve"], env, work / "server.log")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start; see {work / 'server.log'}")
            time.sleep(0.05)
        time.sleep(2.0 if workers else 0.0)  # the workers connect to the broker
        with httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client:
            started = time.monotonic()
            for n in range(packages):
                body = {
                    "request_id": f"p{n}",
                    "idempotency_key": f"k{n}",
                    "inputs": inputs(1000 + n, PROFILE, SHOTS),
                }
                answer = client.post("/v1/render-packages", json=body)
                if answer.status_code != 202:
                    raise SystemExit(f"package {n} refused: {answer.text}")
            pending = {f"p{n}" for n in range(packages)}
            while pending:
                for request_id in sorted(pending):
                    status = client.get(f"/v1/render-packages/{request_id}").json()["status"]
                    if status in ("completed", "degraded"):
                        pending.discard(request_id)
                    elif status == "failed":
                        raise SystemExit(f"package {request_id} failed; see {work}")
                time.sleep(0.2)
            return time.monotonic() - started
    finally:
        stop(server)
        for process in processes:
            stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=12)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    import redis

    with redis.Redis.from_url(args.broker) as client:
        client.flushdb()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        for label, broker, workers in (
            ("in-process pool (2 threads)", None, 0),
            ("fleet, 1 worker", args.broker, 1),
            ("fleet, 2 workers", args.broker, 2),
        ):
            work = Path(tmp) / label.split(",")[0].replace(" ", "-") / str(workers)
            work.mkdir(parents=True)
            seconds = measure(work, args.packages, broker, workers)
            rows.append((label, seconds))
            print(f"{label:<30} {seconds:7.1f} s  {args.packages * 3600 / seconds:8.0f} packages/h")
    baseline = rows[0][1]
    print(f"packages: {args.packages} of {SHOTS} shots at {PROFILE.width}x{PROFILE.height}")
    for label, seconds in rows[1:]:
        print(f"{label:<30} {baseline / seconds:5.2f}x the in-process pool's throughput")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
