from django.contrib.auth import views as auth_views
from django.urls import path

from . import rights, twofactor, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/", views.signup_confirm, name="signup_confirm"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
    path("me/", rights.my_account, name="me"),
    path("me/edit/", rights.edit_profile, name="edit_profile"),
    path("me/data/", rights.my_data, name="my_data"),
    path("me/data.json", rights.my_data_json, name="my_data_json"),
    path("me/delete/", rights.delete_account_view, name="delete_account"),
    path("join/", views.join_community, name="join"),
    path("two-factor/", twofactor.two_factor, name="two_factor"),
    path("consent/<slug:purpose>/", views.give_consent, name="consent"),
    path("consent/<slug:purpose>/withdraw/", views.withdraw_consent, name="withdraw_consent"),
]
