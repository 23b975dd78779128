"""The forum's figures for decision support (portal.insights): threads, posts and active posters."""

from datetime import timedelta

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from participation.moderation.models import ModerationState
from portal.accounts import personal_text
from portal.insights import registry
from portal.insights.registry import FLOW, LEVEL, Figure, Link

from .models import Post, Thread, absolute_url

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


# The items behind the numbers (the drill-down): threads, never people. Active posters have no list: it would
# be a list of residents and what they wrote, and even masked names tell who they are in a small community; the
# number per community is what a decision needs. Titles are residents' text, masked like everything public.


def _title(thread):
    title = personal_text.mask(thread.title)
    if thread.moderation_state == ModerationState.PUBLISHED and thread.deleted_at is None:
        return Link(title, absolute_url(thread.community, thread.get_absolute_url()))
    return title  # not public (pending, hidden, deleted): no link


def _state(thread):
    return _("Deleted") if thread.deleted_at else thread.get_moderation_state_display()


def thread_items(community_ids, start, end, dimension=None):
    """The threads started in the period (each counted, whatever its moderation state, as the figure counts)."""
    threads_ = (
        Thread.objects.filter(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
        .select_related("community__site")
        .annotate(n=Count("posts"))
        .order_by("-created_at", "-pk")[:500]
    )
    columns = [_("Thread"), _("Community"), _("Started"), _("Posts"), _("State")]
    return columns, [(_title(t), t.community.name, t.created_at, t.n, _state(t)) for t in threads_]


def post_items(community_ids, start, end, dimension=None):
    """The threads posted in during the period, each with its posts then (the figure is that column's sum)."""
    rows = Post.objects.filter(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
    counts = dict(rows.values_list("thread_id").annotate(n=Count("pk")).order_by())
    threads_ = (
        Thread.objects.filter(pk__in=list(counts)).select_related("community__site").order_by("-last_post_at", "-pk")
    )
    columns = [_("Thread"), _("Community"), _("State"), _("Posts in the period")]
    return columns, [(_title(t), t.community.name, _state(t), counts[t.pk]) for t in threads_[:500]]


def register():
    registry.register_sources("forums", Thread, Post)
    registry.register(
        Figure(
            "forums.threads", _("Forum threads started"), "participation", FLOW, threads, order=40, items=thread_items
        )
    )
    registry.register(
        Figure(
            "forums.posts",
            _("Forum posts"),
            "participation",
            FLOW,
            posts,
            order=41,
            items=post_items,
            items_count_column=3,
        )
    )
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
