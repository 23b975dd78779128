from django.urls import path

from .callback import callback

app_name = "wechat"
urlpatterns = [path("<slug:slug>/", callback, name="callback")]
