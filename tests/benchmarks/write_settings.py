"""The benchmark settings (portal.settings.bench) with the vote benchmark's baseline view mounted
(tests.benchmarks.write_baseline). Used only by tests/benchmarks/bench_votes.py's gunicorn."""

from portal.settings.bench import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.write_baseline"
