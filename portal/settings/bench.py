"""Benchmarks (`make bench`): the production settings, served over plain HTTP on loopback.

Everything else (DEBUG off, WhiteNoise's manifest storage, the cache and database from the
environment) stays as in production, so the numbers mean something for a deployment.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .production import *  # noqa: E402, F403

# collectstatic writes here; the benchmark runner points it at its temporary folder.
STATIC_ROOT = os.environ.get("PORTAL_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
