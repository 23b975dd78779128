"""Where a complaint goes: the Open311 endpoint of the deployment, overridable per district."""

import math
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Endpoint:
    key: str  # "default" or the district slug whose override this is
    url: str  # base URL, e.g. https://city.example/open311/v2 (no trailing slash)
    api_key: str = ""
    jurisdiction_id: str = ""
    format: str = "json"  # json | xml
    # How to find out, after an ambiguous failure, whether the city already has the request:
    # "portal_id" (our extension: GET requests?attribute[portal_id]=, the faster path) and/or
    # "window" (standard GET requests with start_date/end_date/service_code, matching our marker).
    lookups: tuple[str, ...] = ("window",)
    window_margin: float = 600.0  # seconds added on both sides of the window (clock skew)
    window_status: str = ""  # `status` filter of the window listing; empty: all statuses (the standard default)
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.url)

    @property
    def lookup_by_portal_id(self) -> bool:
        return "portal_id" in self.lookups


LOOKUPS = ("portal_id", "window")


def _lookups(values: dict) -> tuple[str, ...]:
    """`lookups` as a list or a comma-separated string; without it, the standard window plus the
    extension where `lookup_by_portal_id` says the endpoint has it."""
    given = values.get("lookups")
    if given is None:
        return ("portal_id", "window") if values.get("lookup_by_portal_id") else ("window",)
    names = given.split(",") if isinstance(given, str) else list(given)
    return tuple(n.strip() for n in names if n.strip() and n.strip() != "none")


def _endpoint(key: str, values: dict) -> Endpoint:
    return Endpoint(
        key=key,
        url=(values.get("url") or "").rstrip("/"),
        api_key=values.get("api_key", ""),
        jurisdiction_id=values.get("jurisdiction_id", ""),
        format=values.get("format", "json"),
        lookups=_lookups(values),
        window_margin=float(values.get("window_margin", 600.0)),
        window_status=values.get("window_status", ""),
        timeout=float(values.get("timeout", 10.0)),
    )


def default_endpoint() -> Endpoint:
    return _endpoint("default", settings.OPEN311)


def endpoint_for_district(district_slug: str | None) -> Endpoint:
    override = settings.OPEN311_DISTRICTS.get(district_slug or "")
    if override:
        return _endpoint(district_slug, {**settings.OPEN311, **override})
    return default_endpoint()


def endpoint_for_community(community) -> Endpoint:
    district = community.street.parent
    return endpoint_for_district(district.slug if district else None)


def endpoint_by_key(key: str) -> Endpoint:
    return default_endpoint() if key in ("", "default") else endpoint_for_district(key)


def all_endpoints() -> list[Endpoint]:
    """Every configured endpoint, one per key: deliveries and updates are matched per key."""
    endpoints = [default_endpoint(), *(endpoint_for_district(slug) for slug in settings.OPEN311_DISTRICTS)]
    return [e for e in endpoints if e.configured]


# The delivery policy: each key, its setting and its safe bounds (checks.py refuses values outside).
POLICY = {
    "backoff_base_seconds": ("OPEN311_BACKOFF_BASE_SECONDS", 1, 3600),
    "backoff_cap_seconds": ("OPEN311_BACKOFF_CAP_SECONDS", 60, 86400),
    "max_attempts": ("OPEN311_MAX_ATTEMPTS", 1, 1000),
    "max_age_hours": ("OPEN311_MAX_AGE_HOURS", 1, 24 * 30),
    "lease_seconds": ("OPEN311_LEASE_SECONDS", 10, 3600),
    "batch_size": ("OPEN311_BATCH_SIZE", 1, 1000),
}


def delivery_policy() -> dict:
    """Backoff base and cap, dead-letter attempts and age, lease and batch size: read here, nowhere else."""
    return {key: getattr(settings, name) for key, (name, _low, _high) in POLICY.items()}


def policy_problems() -> list[str]:
    """What is wrong with the policy settings, named by setting (empty when every value is safe)."""
    problems = []
    values = {}
    for key, (name, low, high) in POLICY.items():
        value = getattr(settings, name, None)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            problems.append(f"{name} must be a number from {low} to {high} (it is {value!r}).")
        else:
            values[key] = value
    if values.get("backoff_cap_seconds", 1e9) < values.get("backoff_base_seconds", 0):
        problems.append("OPEN311_BACKOFF_CAP_SECONDS must not be smaller than OPEN311_BACKOFF_BASE_SECONDS.")
    return problems


# One call to the city may take up to three timeouts (connect, send, read: each bounded by the timeout).
LEASE_CALL_TIMEOUTS = 3
LEASE_MARGIN_SECONDS = 5


def lease_seconds(endpoint: Endpoint) -> int:
    """How long a worker holds one row: a lease covers one call to the city (it is renewed before each),
    so it is sized from the endpoint's client timeout; OPEN311_LEASE_SECONDS can only lengthen it."""
    floor = math.ceil(LEASE_CALL_TIMEOUTS * endpoint.timeout) + LEASE_MARGIN_SECONDS
    return max(delivery_policy()["lease_seconds"], floor)
