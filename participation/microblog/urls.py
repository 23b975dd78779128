from django.urls import path

from . import views

app_name = "microblog"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("after/", views.posts_after, name="after"),
    path("street/", views.street_feed, name="street"),
    path("city/", views.city_feed, name="city"),
    path("new/", views.new_post, name="new"),
    path("tag/<str:name>/", views.tag_page, name="tag"),  # a topic's name, Chinese included
    path("people/<id:user_id>/", views.person, name="person"),
    path("me/", views.my_page, name="me"),
    path("p/<id:post_id>/", views.post_detail, name="post"),
    path("p/<id:post_id>/comment/", views.comment, name="comment"),
    path("p/<id:post_id>/like/", views.like, name="like"),
    path("p/<id:post_id>/repost/", views.repost, name="repost"),
    path("p/<id:post_id>/report/", views.report_post, name="report"),
    path("p/<id:post_id>/delete/", views.delete_post, name="delete"),
    path("c/<id:comment_id>/report/", views.report_comment, name="report_comment"),
    path("c/<id:comment_id>/delete/", views.delete_comment, name="delete_comment"),
]
