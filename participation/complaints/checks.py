"""Tell the operator, by setting name, what the city link is missing."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
    # One attempt makes up to two calls (lookup, then send): the lease must outlast both.
    attempt_seconds = 3 * float(settings.OPEN311.get("timeout", 10))
    if attempt_seconds > settings.OPEN311_LEASE_SECONDS:
        problems.append(
            Warning(
                "OPEN311_LEASE_SECONDS is shorter than three OPEN311_TIMEOUTs: a slow attempt may lose its lease "
                "and the delivery be attempted twice at once.",
                hint="Raise OPEN311_LEASE_SECONDS or lower OPEN311_TIMEOUT.",
                id="complaints.W003",
            )
        )
    return problems
