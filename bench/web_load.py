"""Load on `policygen serve`: concurrent clients on loopback, each editing, validating and previewing profiles.

Run by hand (`.venv/bin/python bench/web_load.py`); starts its own server on 127.0.0.1 in a copy of the example
workspace, and reports p50/p95 latency per kind of request, errors (5xx or anything unexpected), refused stale
saves and lost updates (two saves accepted from the same version). Targets: p95 under 0.5 s, no 5xx, no lost
update; the preview of the policy after an edit under 0.3 s at the 95th percentile. Tests never assert on these.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from web_helpers import PASSWORD, add_user, csrf_of, form_values, replaced  # noqa: E402

INSTITUTIONS = ("ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university")
FORM = {"content-type": "application/x-www-form-urlencoded"}
EDIT_TO_PREVIEW = "edit to preview (the two above)"  # a sum of two requests, left out of "all"
REQUEST_SECONDS = 60  # a request slower than this counts as an error; the whole run is bounded by the counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.conflicts = 0
        self.saves: list[tuple[str, str, str]] = []  # (institution, base version, saved by)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)


def client_run(base: str, number: int, requests: int, results: Results) -> None:
    institution = INSTITUTIONS[number % len(INSTITUTIONS)]
    address = f"{base}/institutions/{institution}"
    with httpx.Client(base_url=base, timeout=REQUEST_SECONDS, follow_redirects=False) as client:
        login = client.get("/login")
        client.post(
            "/login",
            content=urlencode({"username": "lawyer", "password": PASSWORD, "csrf_token": csrf_of(login.text)}),
            headers=FORM,
        )
        values = form_values(client.get(address).text)
        for index in range(requests):
            kind = ("validate", "preview", "save")[index % 3]
            edited = replaced(values, "staff_count", str(100 + number * 1000 + index))
            started = time.perf_counter()
            try:
                if kind == "validate":
                    response = client.post(f"{address}/validate", content=urlencode(edited), headers=FORM)
                    results.timed("validate (an edit checked)", time.perf_counter() - started)
                    frame = re.search(r'src="(/institutions/[^"]+/document\?draft=[0-9a-f]+)"', response.text)
                    if frame:
                        shown = time.perf_counter()
                        client.get(frame.group(1))
                        results.timed("preview of the policy after the edit", time.perf_counter() - shown)
                        results.timed(EDIT_TO_PREVIEW, time.perf_counter() - started)
                elif kind == "preview":
                    response = client.get(f"{address}/preview/policy/ru/document")
                    results.timed("preview (saved profile)", time.perf_counter() - started)
                else:
                    base_version = dict(edited)["base_version"]
                    response = client.post(address, content=urlencode(edited), headers=FORM)
                    results.timed("save", time.perf_counter() - started)
                    if response.status_code == 303:
                        with results.lock:
                            results.saves.append((institution, base_version, f"client {number}"))
                    elif response.status_code == 409:
                        with results.lock:
                            results.conflicts += 1
                    values = form_values(client.get(address).text)  # start again from the file as it is now
                expected = {"validate": (200,), "preview": (200,), "save": (303, 409)}[kind]
                if response.status_code not in expected:
                    with results.lock:
                        results.errors.append(f"{kind}: {response.status_code}")
            except httpx.HTTPError as error:
                with results.lock:
                    results.errors.append(f"{kind}: {type(error).__name__}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="requests of each client")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="policygen-web-bench-") as folder:
        workspace = Path(folder) / "ws"
        shutil.copytree(REPO / "institutions", workspace / "institutions")
        add_user(workspace, "lawyer", lawyer=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "policygen", "serve", "--workspace", str(workspace), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            results = Results()
            started = time.perf_counter()
            threads = [
                threading.Thread(target=client_run, args=(base, number, options.requests, results))
                for number in range(options.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    bases = defaultdict(int)
    for institution, base_version, _ in results.saves:
        bases[(institution, base_version)] += 1
    lost = sum(count - 1 for count in bases.values() if count > 1)
    total = sum(len(values) for kind, values in results.latencies.items() if kind != EDIT_TO_PREVIEW)
    print(
        f"{options.clients} clients x {options.requests} requests on loopback, {elapsed:.1f} s, {total / elapsed:.1f} requests/s"
    )
    print(f"{'request':40} {'count':>6} {'p50 s':>7} {'p95 s':>7}")
    for kind, values in sorted(results.latencies.items()):
        print(f"{kind:40} {len(values):6} {statistics.median(values):7.3f} {percentile(values, 0.95):7.3f}")
    every = [value for kind, values in results.latencies.items() if kind != EDIT_TO_PREVIEW for value in values]
    print(f"{'all':40} {len(every):6} {statistics.median(every):7.3f} {percentile(every, 0.95):7.3f}")
    print(f"errors (5xx or unexpected): {len(results.errors)} {sorted(set(results.errors))[:5]}")
    print(f"saves accepted: {len(results.saves)}; stale saves refused: {results.conflicts}; lost updates: {lost}")


if __name__ == "__main__":
    main()
