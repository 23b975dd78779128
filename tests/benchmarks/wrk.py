"""Run the `wrk` HTTP load generator and read its report."""

import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass

WRK = "wrk"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    target: str
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    output: str
    mode: str = ""
    cpu_ms_per_request: float | None = None
    seconds: float = 0.0
    cpu_seconds: float | None = None

    @property
    def failure(self) -> str | None:
        """Why this run cannot be trusted, or None."""
        if self.requests == 0:
            return "no request completed"
        if self.non_2xx:
            return f"{self.non_2xx} responses were not 2xx/3xx"
        if self.socket_errors > max(1, self.requests // 100):
            return f"{self.socket_errors} socket errors"
        return None


def ensure_installed() -> str:
    """The path of wrk; installs Debian's package when missing and running as root."""
    found = shutil.which(WRK)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's package (apt-get install wrk) ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which(WRK)
    if not found:
        raise SystemExit(
            "The benchmarks need the wrk HTTP load generator: `sudo apt-get install wrk` on Debian/Ubuntu, "
            "`brew install wrk` on macOS, then run `make bench` again."
        )
    return found


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(target: str, output: str) -> WrkResult:
    """Read requests, requests/s, p50/p99 latency and errors from `wrk --latency` output."""

    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def percentile(p):
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return _ms(*match.groups()) if match else float("nan")

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        target=target,
        requests=int(number(r"(\d+) requests in")),
        requests_per_second=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=percentile(50),
        p99_ms=percentile(99),
        non_2xx=int(number(r"Non-2xx or 3xx responses:\s+(\d+)")),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        output=output,
    )


def run(
    wrk: str, target: str, url: str, host: str, seconds: int, connections: int, mode: str = "", cookie: str = ""
) -> WrkResult:
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Host: {host}",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    result = parse(target, done.stdout)
    result.mode, result.seconds = mode, seconds
    return result


def combine(target: str, mode: str, rounds: list[WrkResult]) -> WrkResult:
    """One result out of several rounds: totals for requests and CPU, the median p50, the worst p99."""
    requests = sum(r.requests for r in rounds)
    seconds = sum(r.requests / r.requests_per_second for r in rounds if r.requests_per_second)
    cpu = [r.cpu_seconds for r in rounds]
    return WrkResult(
        target=target,
        requests=requests,
        requests_per_second=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=max(r.p99_ms for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
        output="\n".join(r.output for r in rounds),
        mode=mode,
        cpu_ms_per_request=sum(cpu) * 1000 / requests if requests and None not in cpu else None,
        seconds=seconds,
    )
