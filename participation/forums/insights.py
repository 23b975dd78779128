"""The forum's figures for decision support (portal.insights): threads, posts and active posters."""

from datetime import timedelta

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from portal.insights import registry
from portal.insights.registry import FLOW, LEVEL, Figure

from .models import Post, Thread

ACTIVE_DAYS = 30


def threads(start, end):
    rows = Thread.objects.filter(created_at__gte=start, created_at__lt=end)
    for row in rows.values("community_id").annotate(n=Count("pk")).order_by():
        yield row["community_id"], "", 0, row["n"]


def posts(start, end):
    rows = Post.objects.filter(created_at__gte=start, created_at__lt=end)
    for row in rows.values("community_id").annotate(n=Count("pk")).order_by():
        yield row["community_id"], "", 0, row["n"]


def active_posters(start, end):
    """People who posted in the 30 days up to the end (a level: distinct people are not summed over days)."""
    rows = Post.objects.filter(created_at__gte=end - timedelta(days=ACTIVE_DAYS), created_at__lt=end)
    for row in rows.values("community_id").annotate(n=Count("author", distinct=True)).order_by():
        yield row["community_id"], "", 0, row["n"]


def register():
    registry.register_sources("forums", Thread, Post)
    registry.register(Figure("forums.threads", _("Forum threads started"), "participation", FLOW, threads, order=40))
    registry.register(Figure("forums.posts", _("Forum posts"), "participation", FLOW, posts, order=41))
    registry.register(
        Figure(
            "forums.active_posters",
            _("Active posters (in the 30 days to the end)"),
            "participation",
            LEVEL,
            active_posters,
            order=42,
        )
    )
