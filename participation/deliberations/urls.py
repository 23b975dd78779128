from django.urls import path

from . import views

app_name = "deliberations"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("<int:pk>/", views.topic_detail, name="topic"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/ballots.json", views.ballot_log_download, name="ballot_log"),
    path("<int:pk>/verify/", views.verify, name="verify"),
]
