"""Content made the way editors make it: a revision, then publish (so publish signals fire)."""

from datetime import timedelta

from django.utils import timezone

from communities.events.models import EventIndexPage, EventPage
from communities.news.models import NewsArticlePage, NewsIndexPage
from communities.notices.models import NoticeIndexPage, NoticePage


def section(community, page_class):
    return page_class.objects.child_of(community.root_page).get()


def publish(parent, page, tags=(), live=True):
    page.live = False
    parent.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
    revision = page.save_revision()
    if live:
        revision.publish()
    page.refresh_from_db()
    return page


def add_notice(community, title, tags=(), live=True, **fields):
    fields.setdefault("body", f"<p>{title}</p>")
    return publish(section(community, NoticeIndexPage), NoticePage(title=title, **fields), tags, live)


def add_news(community, title, tags=(), live=True, **fields):
    fields.setdefault("body", f"<p>{title}</p>")
    return publish(section(community, NewsIndexPage), NewsArticlePage(title=title, **fields), tags, live)


def add_event(community, title, tags=(), live=True, **fields):
    start = timezone.now() + timedelta(days=3)
    fields.setdefault("start", start)
    fields.setdefault("end", start + timedelta(hours=2))
    fields.setdefault("place", "社区活动室")
    return publish(section(community, EventIndexPage), EventPage(title=title, **fields), tags, live)
