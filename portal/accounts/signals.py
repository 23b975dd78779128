"""Signals other apps connect to, and the handlers accounts keeps for itself."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import Signal, receiver

from . import throttle

# Sent with sender=User, user=<the account> before its personal data is erased. Apps that hold
# public content by this user anonymise it (keep the content, remove the author); ballots stay.
account_deleted = Signal()


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or credentials.get("phone") or ""
    throttle.register_failure(login, throttle.client_ip(request))


@receiver(user_logged_in)
def remember_login(sender, request, user, **kwargs):
    throttle.reset_account(user)
    ip = throttle.client_ip(request)
    if ip and user.last_login_ip != ip:
        type(user).objects.filter(pk=user.pk).update(last_login_ip=ip)


# Sent with sender=User, user=<the account> when a resident downloads their data. Receivers return
# {"section name": JSON-serialisable data} with what their app holds about the person.
personal_data_requested = Signal()
