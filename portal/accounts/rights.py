"""The resident's rights over their data: see it, download it, correct it, delete the account."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .membership import memberships_of


@login_required
def my_account(request):
    context = {"account": request.user, "memberships": memberships_of(request.user).select_related("community")}
    return render(request, "accounts/me.html", context)
