from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("", views.election_list, name="list"),
    path("<id:pk>/", views.election_detail, name="detail"),
    path("<id:pk>/voter-list/", views.voter_list, name="voter_list"),
    path("<id:pk>/object/", views.object_to_list, name="object"),
    path("<id:pk>/nominate/", views.nominate, name="nominate"),
    path("candidates/<id:pk>/support/", views.support, name="support"),
    path("candidates/<id:pk>/answer/", views.answer, name="answer"),
    path("<id:pk>/vote/", views.vote, name="vote"),
    path("<id:pk>/receipt/", views.receipt, name="receipt"),
    path("<id:pk>/results/", views.results, name="results"),
    path("<id:pk>/ballots.json", views.ballot_log_download, name="ballot_log"),
    path("<id:pk>/verify/", views.verify, name="verify"),
]
