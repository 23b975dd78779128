from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle


class PhoneOrUsernameBackend(ModelBackend):
    """Authenticate with a mobile number or a username and a password; refuses while throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if request is not None and throttle.lockout_message(username, throttle.client_ip(request)):
            raise PermissionDenied  # stops every backend; counted as a failure by the signal handler
        user = throttle.find_account(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
