"""The category catalogue, synced from the city's `GET services` list."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import open311
from .conf import Endpoint
from .models import ServiceCategory


def sync_services(endpoint: Endpoint) -> dict:
    """Upsert every service; services that vanished are retired, never deleted. Fields staff set
    (department, deadline, goes-to-city) are left alone."""
    client = open311.Client(endpoint)
    services = [s for s in client.services() if s.get("service_code")]
    definitions = {}
    for service in services:
        if str(service.get("metadata", "")).lower() == "true":
            try:
                definitions[service["service_code"]] = client.service_definition(service["service_code"])
            except open311.Open311Error:
                definitions[service["service_code"]] = {}
    now = timezone.now()
    counts = {"created": 0, "updated": 0, "retired": 0}
    with transaction.atomic():
        for service in services:
            values = {
                "name": (service.get("service_name") or service["service_code"])[:200],
                "description": service.get("description") or "",
                "group": (service.get("group") or "")[:200],
                "keywords": (service.get("keywords") or "")[:500],
                "from_city": True,
                "retired": False,
                "synced_at": now,
            }
            if service["service_code"] in definitions:
                values["attributes"] = definitions[service["service_code"]].get("attributes") or []
            _, created = ServiceCategory.objects.update_or_create(service_code=service["service_code"], defaults=values)
            counts["created" if created else "updated"] += 1
        # Anything meant for the city that the city no longer lists; local-only categories stay.
        vanished = ServiceCategory.objects.filter(Q(from_city=True) | Q(goes_to_city=True), retired=False).exclude(
            service_code__in=[s["service_code"] for s in services]
        )
        counts["retired"] = vanished.update(retired=True)
    return counts
