"""The service directory for decision support (portal.insights): services per community, by kind."""

from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from communities.regions.models import Community
from portal.insights import registry
from portal.insights.registry import LEVEL, Figure, Link, Ratio, Section

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


def service_items(community_ids, start, end, dimension=None):
    """The entries behind the count: name (linking to its page), kind, community, listed since. Not the phone
    or the place: the list is of services, and it shows nothing a list of people's data could."""
    roots = community_roots()
    names = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
    kinds = kind_names()
    rows = []
    for page in ServicePage.objects.live().filter(first_published_at__lt=end).order_by("kind", "title", "pk"):
        community_id = community_of_path(page.path, roots)
        if community_id in names:
            rows.append(
                (
                    Link(page.title, page.get_full_url()),
                    kinds.get(page.kind, page.kind),
                    names[community_id],
                    page.first_published_at,
                )
            )
    columns = [_("Service"), _("Kind of service"), _("Community"), _("Listed since")]
    return columns, sorted(rows, key=lambda row: (row[2], row[1], str(row[0])))[:500]


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
            items=service_items,
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
