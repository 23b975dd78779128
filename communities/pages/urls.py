from django.urls import path

from . import feeds

app_name = "feeds"

urlpatterns = [
    path("notices.rss", feeds.NoticeFeed(), name="notices_rss"),
    path("notices.atom", feeds.NoticeAtomFeed(), name="notices_atom"),
    path("news.rss", feeds.NewsFeed(), name="news_rss"),
    path("news.atom", feeds.NewsAtomFeed(), name="news_atom"),
]
