"""A bounded load test of the Video Engine service, on loopback only.

Starts ``sparkle-motion serve`` in a child process with a fresh artifact root,
submits 50 tiny render packages at once (1 shot, 1 s, 160x90, silent voice)
while 500 status polls run, kills the server with SIGKILL part-way through,
starts it again (``resume_interrupted = true``), replays every submission with
its idempotency key, and waits for every job. It prints throughput and the
p50/p99 latency of the status calls, and fails unless every job completed
exactly once and none was lost.

    python benchmarks/service_load.py [--jobs 50] [--polls 500] [--kill-after 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from bench_packages import free_port, inputs

from sparkle_motion.schemas import RenderProfile

KEY = "bench-operator-key-0001"
HEADERS = {"Authorization": f"Bearer {KEY}"}
PROFILE = RenderProfile(name="bench", width=160, height=90, crf=32, preset="ultrafast", slate=False)


class Server:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, resume_interrupted: bool) -> float:
        config = self.root / "service.toml"
        config.write_text(
            f'artifact_root = "{self.root / "data"}"\nport = {self.port}\nworkers = 2\n'
            f"quota_concurrent_jobs = 2\nresume_interrupted = {str(resume_interrupted).lower()}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKLE_")}
        env["SPARKLE_API_KEYS"] = json.dumps({KEY: {"tenant_id": "bench", "role": "operator"}})
        started = time.monotonic()
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sparkle_motion.cli", "serve", "-c", str(config)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        while True:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                if self.process.poll() is not None:
                    raise SystemExit("the server exited; see server.log") from None
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--polls", type=int, default=500)
    parser.add_argument("--kill-after", type=int, default=8, help="completed jobs before SIGKILL")
    args = parser.parse_args()
    rng = random.Random(1)
    bodies = [
        {
            "request_id": f"load-{n:03d}",
            "idempotency_key": f"idem-{n:03d}",
            "inputs": inputs(n, PROFILE),
        }
        for n in range(args.jobs)
    ]
    with tempfile.TemporaryDirectory(prefix="sparkle-load-") as tmp:
        server = Server(Path(tmp), free_port())
        server.start(resume_interrupted=False)
        latencies: list[float] = []
        client = httpx.Client(base_url=server.url, headers=HEADERS, timeout=60)

        def submit(body: dict[str, Any]) -> dict[str, Any]:
            answer = client.post("/v1/render-packages", json=body)
            answer.raise_for_status()
            result: dict[str, Any] = answer.json()
            return result

        def poll(request_id: str) -> str:
            started = time.perf_counter()
            answer = client.get(f"/v1/render-packages/{request_id}")
            latencies.append(time.perf_counter() - started)
            answer.raise_for_status()
            status: str = answer.json()["status"]
            return status

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            first = list(pool.map(submit, bodies))
        submit_seconds = time.monotonic() - began
        run_ids = {b["request_id"]: f["run_id"] for b, f in zip(bodies, first, strict=True)}

        polls_before = args.polls // 2
        done: set[str] = set()
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(done) < args.kill_after and sent < polls_before:
                batch = [rng.choice(bodies)["request_id"] for _ in range(8)]
                for request_id, status in zip(batch, pool.map(poll, batch), strict=True):
                    if status == "completed":
                        done.add(request_id)
                sent += len(batch)
                time.sleep(0.3)  # about 25 polls a second, so jobs finish before the kill
        server.kill()
        killed_at = time.monotonic() - began
        restart_seconds = server.start(resume_interrupted=True)
        client.close()
        client = httpx.Client(base_url=server.url, headers=HEADERS, timeout=60)

        with ThreadPoolExecutor(max_workers=16) as pool:
            replayed = list(pool.map(submit, bodies))
        assert all(
            r["run_id"] == run_ids[b["request_id"]] for b, r in zip(bodies, replayed, strict=True)
        )
        with ThreadPoolExecutor(max_workers=8) as pool:
            while sent < args.polls:
                batch = [rng.choice(bodies)["request_id"] for _ in range(8)]
                list(pool.map(poll, batch))
                sent += len(batch)
                time.sleep(0.02)

        final: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + 600
        while len(final) < len(bodies) and time.monotonic() < deadline:
            for body in bodies:
                if body["request_id"] in final:
                    continue
                status = client.get(f"/v1/render-packages/{body['request_id']}").json()
                if status["status"] not in ("queued", "in_progress"):
                    final[body["request_id"]] = status
            time.sleep(0.2)
        elapsed = time.monotonic() - began

        runs = client.get("/runs", params={"limit": 1000}).json()["runs"]
        completions: dict[str, int] = {}
        for run in runs:
            text = client.get(f"/runs/{run['run_id']}/events", params={"follow": "false"}).text
            completions[run["run_id"]] = text.count('"status": "completed"')
        client.close()
        server.stop()

    statuses = [s["status"] for s in final.values()]
    completed = statuses.count("completed")
    failed_cleanly = sum(1 for s in final.values() if s["status"] == "failed" and s["errors"])
    lost = len(bodies) - len(final)
    print(f"jobs submitted          {len(bodies)} in {submit_seconds:.2f} s")
    print(f"server SIGKILLed at     {killed_at:.1f} s, after {len(done)} jobs were seen completed")
    print(f"restart to healthy      {restart_seconds:.2f} s (interrupted runs resumed)")
    print(f"jobs completed          {completed}; failed cleanly {failed_cleanly}; lost {lost}")
    print(f"throughput              {completed / elapsed:.2f} jobs/s ({elapsed:.1f} s wall)")
    print(
        f"status polls            {len(latencies)}: p50 {percentile(latencies, 0.5) * 1000:.1f} ms,"
        f" p99 {percentile(latencies, 0.99) * 1000:.1f} ms,"
        f" mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )
    print(f"runs listed             {len(runs)} (one per package: {len(runs) == len(bodies)})")
    once = [n for n in completions.values() if n == 1]
    print(f"completed exactly once  {len(once)} of {len(completions)}")
    ok = (
        lost == 0
        and completed + failed_cleanly == len(bodies)
        and len(runs) == len(bodies)
        and len(once) == completed
        and all(n <= 1 for n in completions.values())
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
