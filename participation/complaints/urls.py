from django.urls import path

from . import push, views

app_name = "complaints"

urlpatterns = [
    path("complaints/", views.my_complaints, name="mine"),
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/<uuid:reference>/", views.complaint_detail, name="detail"),
    path("complaints/<uuid:reference>/rate/", views.complaint_rate, name="rate"),
    path("complaints/<uuid:reference>/photos/<id:photo_id>/", views.complaint_photo, name="photo"),
    path("complaints/photos/<str:token>/", views.signed_photo, name="signed_photo"),
    path("mirror/photos/<id:photo_id>/", views.public_photo, name="public_photo"),
    path("mirror/", views.mirror, name="mirror"),
    path("mirror/<id:pk>/", views.mirror_item, name="mirror_item"),
    path("mirror/street/<slug:slug>/", views.mirror_street, name="mirror_street"),
    path("open311/updates", push.push_updates, name="push_updates"),
]
