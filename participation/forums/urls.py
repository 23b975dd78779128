from django.urls import path

from . import views

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_posts, name="mine"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("new/", views.new_thread, name="new_thread"),
    path("t/<id:thread_id>/", views.thread_detail, name="thread"),
    path("t/<id:thread_id>/unread/", views.jump_unread, name="unread"),
    path("t/<id:thread_id>/p/<id:number>/", views.post_permalink, name="post"),
    path("t/<id:thread_id>/reply/", views.reply, name="reply"),
    path("t/<id:thread_id>/after/", views.posts_after, name="posts_after"),
    path("p/<id:post_id>/edit/", views.edit, name="edit"),
    path("p/<id:post_id>/delete/", views.delete, name="delete"),
    path("p/<id:post_id>/like/", views.like, name="like"),
    path("p/<id:post_id>/report/", views.report, name="report"),
    path("p/<id:post_id>/history/", views.history, name="history"),
]
