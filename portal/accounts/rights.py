"""The resident's rights over their data: see it, download it, correct it, delete the account."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def my_account(request):
    return render(request, "accounts/me.html", {"account": request.user})
