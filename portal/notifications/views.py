from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.core.pagination import paginate

from .services import mark_all_read


@login_required
def notification_list(request):
    page = paginate(request, request.user.notifications.all())
    return render(request, "notifications/list.html", {"page_obj": page})


@login_required
@require_POST
def mark_read(request):
    mark_all_read(request.user)
    return redirect("notifications:list")
