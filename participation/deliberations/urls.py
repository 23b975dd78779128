from django.urls import path

from . import views

app_name = "deliberations"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("mine/", views.my_votes, name="mine"),
    path("propose/", views.propose, name="propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/cosign/", views.cosign, name="cosign"),
    path("<int:pk>/", views.topic_detail, name="topic"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/ballots.json", views.ballot_log_download, name="ballot_log"),
    path("<int:pk>/verify/", views.verify, name="verify"),
]
