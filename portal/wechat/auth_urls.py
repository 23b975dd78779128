"""WeChat login, binding and JS-SDK signatures on a community's site (`/wechat-auth/`)."""

from django.urls import path

from . import jssdk, oauth

app_name = "wechat_auth"
urlpatterns = [
    path("login/", oauth.login, name="login"),
    path("callback/", oauth.callback, name="callback"),
    path("bind/", oauth.bind, name="bind"),
    path("bindings/", oauth.bindings, name="bindings"),
    path("bindings/<id:pk>/remove/", oauth.binding_remove, name="binding_remove"),
    path("bindings/<id:pk>/messages/", oauth.binding_messages, name="binding_messages"),
    path("jssdk/", jssdk.config, name="jssdk"),
]
