from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import signups
from .models import EventSignup


def signup_view(request, event):
    """POST action=join|cancel from the event page; answers with a message and a redirect."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_url(request))
    if request.POST.get("action") == "cancel":
        signups.cancel(event, request.user)
        messages.success(request, _("Your sign-up is cancelled."))
    elif not event.signup_possible:
        messages.error(request, _("Sign-up for this event is closed."))
    else:
        signup = signups.sign_up(event, request.user)
        if signup.status == EventSignup.Status.CONFIRMED:
            messages.success(request, _("You are signed up."))
        else:
            messages.info(request, _("The event is full: you are on the waiting list."))
    return redirect(event.get_url(request))
