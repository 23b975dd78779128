"""The service directory for decision support (portal.insights): services per community, by kind."""

from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from portal.insights import registry
from portal.insights.registry import LEVEL, Figure, Ratio, Section

from .models import ServicePage


def services(start, end):
    """Live service pages first published before the end (the directory as it stands, dated by publication)."""
    rows = ServicePage.objects.live().filter(first_published_at__lt=end)
    roots = community_roots()
    counts: dict = {}
    for row in rows.values("path", "kind"):
        community_id = community_of_path(row["path"], roots)
        if community_id is not None:
            key = (community_id, row["kind"])
            counts[key] = counts.get(key, 0) + 1
    for (community_id, kind), n in counts.items():
        yield community_id, kind, 0, n


def kind_names() -> dict:
    return {value: str(label) for value, label in ServicePage.Kind.choices}


def register():
    registry.register_section(Section("services", _("Service resources"), order=40))
    registry.register_sources("services", ServicePage)
    registry.register(
        Figure(
            "services.entries",
            _("Services in the directory"),
            "services",
            LEVEL,
            services,
            dimension_label=_("Kind of service"),
            dimension_names=kind_names,
        )
    )
    registry.register_ratio(
        Ratio(
            "services.per_10000",
            _("Services per 10,000 residents"),
            "services",
            ("services.entries",),
            ("communities.population",),
            scale=10000,
            order=110,
        )
    )
