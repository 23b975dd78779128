"""The results table, printed and written between markers into docs/performance.md."""

import math
import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .server import PROJECT

DOC = PROJECT / "docs" / "performance.md"
START = "<!-- bench:results:start (written by `make bench`; edit outside these markers) -->"
END = "<!-- bench:results:end -->"


@dataclass
class Summary:
    results: list
    goals: dict
    seed_seconds: float
    seed_cpu_seconds: float
    communities: int
    community_host: str
    workers: int
    connections: int
    seconds: int
    rounds: int
    database: str
    cache: str
    command: str

    def _pair(self, mode):
        found = {("healthz" if "healthz" in r.target else "home"): r for r in self.results if r.mode == mode}
        return found.get("healthz"), found.get("home")

    def ratio(self, mode) -> float | None:
        healthz, home = self._pair(mode)
        if not healthz or not home or not healthz.requests_per_second:
            return None
        return home.requests_per_second / healthz.requests_per_second

    def cpu_ratio(self, mode) -> float | None:
        healthz, home = self._pair(mode)
        if not healthz or not home or not healthz.cpu_ms_per_request or not home.cpu_ms_per_request:
            return None
        return healthz.cpu_ms_per_request / home.cpu_ms_per_request

    def goal_lines(self) -> list[str]:
        lines = []
        for mode, goal in self.goals.items():
            ratio = self.ratio(mode)
            if ratio is None:
                lines.append(f"- {mode}: no result")
                continue
            verdict = "MET" if ratio >= goal else "MISSED"
            line = f"- {mode}: home page at {ratio:.1%} of /healthz requests/s (goal ≥ {goal:.0%}): {verdict}"
            cpu_ratio = self.cpu_ratio(mode)
            if cpu_ratio is not None:
                line += f"; by server CPU per request: {cpu_ratio:.1%}"
            lines.append(line)
        return lines

    def table(self) -> str:
        rows = [
            "| page cache | URL | requests/s | p50 latency | p99 latency | server CPU / request | home / healthz |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for mode in self.goals:
            healthz, home = self._pair(mode)
            ratio = self.ratio(mode)
            for result, label in ((healthz, "`/healthz` (minimal view)"), (home, f"`{self.community_host}/`")):
                if result is None:
                    continue
                share = f"**{ratio:.1%}**" if result is home and ratio is not None else ""
                cpu = "n/a" if result.cpu_ms_per_request is None else f"{result.cpu_ms_per_request:.2f} ms"
                rows.append(
                    f"| {'off' if mode == 'uncached' else 'on'} | {label} | {result.requests_per_second:,.0f} "
                    f"| {result.p50_ms:.2f} ms | {result.p99_ms:.2f} ms | {cpu} | {share} |"
                )
        return "\n".join(rows)

    def setup(self) -> str:
        cpu = _cpu_model()
        if math.isnan(self.seed_seconds):
            seeded = f"{self.communities} communities from an earlier run's database (--reuse)"
        else:
            seeded = (
                f"{self.communities} communities seeded in {self.seed_seconds:.0f} s "
                f"({self.seed_cpu_seconds:.0f} s CPU)"
            )
        return (
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}; {self.database} database, {self.cache} cache; {seeded}; "
            f"gunicorn with {self.workers} "
            f"sync workers; wrk with 1 thread and {self.connections} connections, {self.seconds} s per URL and mode "
            f"in {self.rounds} rounds that alternate the two URLs, after a warm-up (p50: median of the rounds, "
            f"p99: worst round); load average at the end {_load()}.\n\nCommand: `{self.command}` (`make bench`)."
        )

    def text(self) -> str:
        return "\n\n".join([self.setup(), self.table(), "\n".join(self.goal_lines())])


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_into_docs(summary: Summary) -> None:
    """Replace what is between the markers; create the file with the markers if needed."""
    block = f"{START}\n{summary.text()}\n{END}"
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n## Latest run\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(pattern.sub(lambda _: block, text, count=1))


def write_between_markers(start: str, end: str, heading: str, text: str) -> None:
    """Put `text` between the `start` and `end` markers of docs/performance.md (the other benchmarks' tables),
    or at the end under `heading` the first time."""
    doc = DOC.read_text(encoding="utf-8")
    block = f"{start}\n{text}\n{end}"
    if start in doc:
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end) :]
    else:
        doc += f"\n## {heading}\n\n{block}\n"
    DOC.write_text(doc, encoding="utf-8")
