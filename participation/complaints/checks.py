"""Tell the operator, by setting name, what the city link is missing."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .conf import default_endpoint, lease_seconds, policy_problems


@register()
def open311_policy(app_configs, **kwargs):
    """Backoff, dead-letter limits, lease and batch size within safe bounds, at every start."""
    return [
        Error(problem, hint="See docs/open311.md, 'Delivery policy'.", id="complaints.E001")
        for problem in policy_problems()
    ]


@register(Tags.security, deploy=True)
def open311_settings(app_configs, **kwargs):
    problems = []
    if not settings.OPEN311.get("url"):
        problems.append(
            Warning(
                "OPEN311_URL is not set: escalated complaints wait in the outbox and nothing reaches the city.",
                hint="Set OPEN311_URL (and OPEN311_API_KEY, OPEN311_JURISDICTION_ID) to the city's endpoint.",
                id="complaints.W001",
            )
        )
    if settings.OPEN311.get("url") and not settings.OPEN311_PUSH_SECRET:
        problems.append(
            Warning(
                "OPEN311_PUSH_SECRET is not set: the city cannot push updates; they arrive by polling only.",
                hint="Set OPEN311_PUSH_SECRET to the secret shared with the city's adapter.",
                id="complaints.W002",
            )
        )
    # The lease is renewed before every call and never shorter than one call (conf.lease_seconds); a
    # timeout that makes it longer than the setting is worth knowing: a dead worker's row waits that long.
    floor = lease_seconds(default_endpoint())
    if floor > settings.OPEN311_LEASE_SECONDS:
        problems.append(
            Warning(
                f"OPEN311_TIMEOUT makes each lease {floor} s, longer than OPEN311_LEASE_SECONDS: a crashed "
                "worker's delivery is taken over only after that.",
                hint="Lower OPEN311_TIMEOUT, or raise OPEN311_LEASE_SECONDS to say so.",
                id="complaints.W003",
            )
        )
    return problems
