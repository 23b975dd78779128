"""Content made the way editors and residents make it, for the search tests."""

from django.utils import timezone

from communities.news.models import NewsArticlePage
from communities.notices.models import NoticePage


def section(community, slug):
    return community.root_page.get_children().get(slug=slug)


def add_notice(community, title, slug, body=None, publish=True, **fields):
    notices = section(community, "notices")
    notice = NoticePage(title=title, slug=slug, body=f"<p>{body or title}</p>", live=False, **fields)
    notices.add_child(instance=notice)
    if publish:
        notice.save_revision().publish()
    notice.refresh_from_db()
    return notice


def add_news(community, title, slug, body=None, date=None):
    news = section(community, "news")
    article = NewsArticlePage(
        title=title, slug=slug, body=f"<p>{body or title}</p>", date=date or timezone.localdate(), live=False
    )
    news.add_child(instance=article)
    article.save_revision().publish()
    article.refresh_from_db()
    return article
