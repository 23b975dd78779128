"""The moderation queue, the action form and the log in the Wagtail admin, scoped to the moderator's communities."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from communities.regions.scoping import scope_queryset
from portal.core.admin_scoping import NotACommunityRow, Scoped, community_scoped_view

from .forms import ActionForm
from .models import ModerationAction, ModerationState, Report
from .registry import moderated_models
from .services import act

PERMISSION = "moderation.moderate"
QUEUE_LIMIT = 100


def _require_moderator(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _reported_items(user):
    groups = (
        scope_queryset(Report.objects.filter(status=Report.Status.OPEN), user)
        .values("content_type", "object_id")
        .annotate(reports=Count("pk"), latest=Max("created_at"))
        .order_by("-latest")[:QUEUE_LIMIT]
    )
    by_type = {}
    for group in groups:
        by_type.setdefault(group["content_type"], []).append(group["object_id"])
    objects = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for obj in scope_queryset(model.objects.filter(pk__in=ids), user):
            objects[(type_id, obj.pk)] = obj
    reasons = {}
    for row in scope_queryset(Report.objects.filter(status=Report.Status.OPEN), user).filter(
        object_id__in=[g["object_id"] for g in groups]
    ):
        reasons.setdefault((row.content_type_id, row.object_id), set()).add(row.get_reason_display())
    return [
        {"obj": objects[key], "type_id": key[0], "reports": g["reports"], "reasons": sorted(reasons.get(key, []))}
        for g in groups
        if (key := (g["content_type"], g["object_id"])) in objects
    ]


def _pending_items(user):
    items = []
    for model in moderated_models():
        type_id = ContentType.objects.get_for_model(model).pk
        pending = scope_queryset(model.objects.filter(moderation_state=ModerationState.PENDING), user)
        items += [{"obj": obj, "type_id": type_id} for obj in pending.order_by("pk")[:QUEUE_LIMIT]]
    return items


def queue(request):
    _require_moderator(request)
    return TemplateResponse(
        request,
        "moderation/admin/queue.html",
        {"reported": _reported_items(request.user), "pending": _pending_items(request.user)},
    )


def _moderated_model(type_id, **_arguments):
    """The model the URL's content type names, if it is one that moderators act on; else a 404."""
    content_type = ContentType.objects.filter(pk=type_id).first()
    model = content_type.model_class() if content_type else None
    if model not in moderated_models():
        raise Http404
    return model


@community_scoped_view(
    type_id=NotACommunityRow("a content type: one of the registered moderated models, or a 404"),
    object_id=Scoped(_moderated_model, to="obj"),
)
def take_action(request, type_id, obj):
    _require_moderator(request)
    form = ActionForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            act(obj, form.cleaned_data["kind"], request.user, form.cleaned_data["reason"], form.cleaned_data["days"])
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Done. The action is recorded in the moderation log."))
            return redirect("moderation_queue")
    content_type = ContentType.objects.get_for_model(obj)
    reports = Report.objects.filter(content_type=content_type, object_id=obj.pk).select_related("reporter")
    history = ModerationAction.objects.filter(content_type=content_type, object_id=obj.pk).select_related("moderator")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "moderation/admin/act.html",
        {"obj": obj, "form": form, "reports": reports[:50], "history": history[:50]},
        status=status,
    )


def action_log(request):
    _require_moderator(request)
    actions = scope_queryset(ModerationAction.objects.all(), request.user).select_related(
        "community", "moderator", "target_user"
    )[:200]
    return TemplateResponse(request, "moderation/admin/log.html", {"actions": actions})
