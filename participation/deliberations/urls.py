from django.urls import path

from . import views

app_name = "deliberations"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("mine/", views.my_votes, name="mine"),
    path("propose/", views.propose, name="propose"),
    path("proposals/<id:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<id:pk>/cosign/", views.cosign, name="cosign"),
    path("<id:pk>/", views.topic_detail, name="topic"),
    path("<id:pk>/vote/", views.vote, name="vote"),
    path("<id:pk>/receipt/", views.receipt, name="receipt"),
    path("<id:pk>/comment/", views.comment, name="comment"),
    path("<id:pk>/ballots.json", views.ballot_log_download, name="ballot_log"),
    path("<id:pk>/verify/", views.verify, name="verify"),
]
