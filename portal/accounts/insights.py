"""Memberships for decision support: registered and verified residents at the end of a period.

A membership counts as registered from its application while it is pending or verified, and as
verified from its decision (or, made verified without one, from its application) while it is verified
(a revoked or rejected one no longer counts on any day: memberships keep no history of their states)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.insights import registry
from portal.insights.registry import LEVEL, Figure, Ratio, Section

from .models import Membership


def registered(start, end):
    rows = Membership.objects.filter(applied_at__lt=end, status__in=Membership.ACTIVE)
    for row in rows.values("community_id").annotate(n=Count("pk")).order_by():
        yield row["community_id"], "", 0, row["n"]


def verified(start, end):
    decided = Q(decided_at__lt=end) | Q(decided_at__isnull=True, applied_at__lt=end)  # imported as verified
    rows = Membership.objects.filter(decided, status=Membership.Status.VERIFIED)
    for row in rows.values("community_id").annotate(n=Count("pk")).order_by():
        yield row["community_id"], "", 0, row["n"]


def register():
    registry.register_sources("accounts", Membership)
    registry.register_section(Section("participation", _("Participation"), order=20))
    registry.register(
        Figure("accounts.registered", _("Registered residents"), "participation", LEVEL, registered, order=1)
    )
    registry.register(Figure("accounts.verified", _("Verified residents"), "participation", LEVEL, verified, order=2))
    registry.register_ratio(
        Ratio(
            "accounts.verified_share",
            _("Verified of registered residents (%)"),
            "participation",
            ("accounts.verified",),
            ("accounts.registered",),
            order=3,
        )
    )
    registry.register_ratio(
        Ratio(
            "accounts.verified_of_population",
            _("Verified residents of the population (%)"),
            "participation",
            ("accounts.verified",),
            ("communities.population",),
            order=4,
        )
    )
