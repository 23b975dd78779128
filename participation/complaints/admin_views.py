"""Workers' triage in the Wagtail admin: every queryset goes through communities_for()."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from communities.regions.models import Community
from communities.regions.scoping import communities_for, scope_queryset
from portal.accounts.admin_views import reveal_for_reason
from portal.accounts.masking import mask_name, mask_phone
from portal.audit.log import record
from portal.core.admin_scoping import Scoped, community_scoped_view

from . import cases, delivery, duplicates
from .conf import all_endpoints, delivery_policy
from .masking import mask_address
from .models import (
    OPEN_STATES,
    CaseState,
    CityDuplicate,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintSettings,
    DeliveryFailure,
    Outbox,
)
from .states import TransitionError
from .views import serve_photo


def staff_complaints(user):
    return scope_queryset(Complaint.objects.select_related("category", "community", "outbox"), user)


# How each id of a complaint URL is found: in the user's scope (portal.core.admin_scoping), else a 404.
COMPLAINT = Scoped(Complaint, to="complaint", select_related=("category", "community", "outbox", "reporter"))
PHOTO = Scoped(ComplaintPhoto, "complaint__community", to="photo")


class ListFilter(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", gettext_lazy("All"))] + CaseState.choices
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only (督办)"), required=False)


def complaint_index(request):
    if not communities_for(request.user).exists():
        raise PermissionDenied
    complaints = staff_complaints(request.user)
    filters = ListFilter(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["state"]:
            complaints = complaints.filter(state=filters.cleaned_data["state"])
        if filters.cleaned_data["overdue"]:
            complaints = complaints.filter(state__in=OPEN_STATES, deadline__lt=timezone.now())
    page = Paginator(complaints, 50).get_page(request.GET.get("page"))
    return render(request, "complaints/admin/index.html", {"page_obj": page, "filters": filters})


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", gettext_lazy("Accept")),
            ("escalate", gettext_lazy("Escalate to the city")),
            ("settle", gettext_lazy("Settle locally with a reply")),
            ("duplicate", gettext_lazy("Merge into another complaint")),
            ("returned", gettext_lazy("Return to the resident")),
            ("not_responsible", gettext_lazy("Not our responsibility")),
            ("reply", gettext_lazy("Reply to the resident")),
            ("note", gettext_lazy("Internal note")),
            ("requeue", gettext_lazy("Requeue the delivery")),
        ]
    )
    text = forms.CharField(
        label=pgettext_lazy("complaint", "Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    original = forms.IntegerField(label=gettext_lazy("Original complaint number"), required=False)

    def clean(self):
        cleaned = super().clean()
        needs_text = {"settle", "returned", "not_responsible", "reply", "note"}
        if cleaned.get("action") in needs_text and not cleaned.get("text", "").strip():
            self.add_error("text", _("Write the text the resident (or your colleagues) will read."))
        if cleaned.get("action") == "duplicate" and not cleaned.get("original"):
            self.add_error("original", _("Give the number of the complaint this one duplicates."))
        return cleaned


@community_scoped_view(pk=COMPLAINT)
def complaint_detail(request, complaint):
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _run_action(request, complaint, form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Done."))
            return redirect("complaints_admin:detail", pk=complaint.pk)
    outbox = Outbox.objects.filter(complaint=complaint).first()
    timeline = complaint.events.select_related("author")
    record(request.user, complaint.reporter, "view complaint (masked)", community=complaint.community)
    context = {
        "complaint": complaint,
        "timeline": timeline,
        "form": form,
        "outbox": outbox,
        "contact": masked_contact(complaint),
        "photos": complaint.photos.all(),
        "may_reveal": request.user.has_perm("accounts.reveal_personal_data"),
        "copies": [(copy, duplicates.note_for_the_city(copy)) for copy in complaint.city_duplicates.all()],
    }
    return render(request, "complaints/admin/detail.html", context)


@community_scoped_view(pk=COMPLAINT, duplicate_id=Scoped(CityDuplicate, "complaint__community", to="copy"))
def report_duplicate(request, complaint, copy):
    """One click: the note for the city about a copy of this complaint goes on the timeline, and the
    copy is marked as reported (by whom, when)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if copy.complaint_id != complaint.pk:
        raise Http404
    if copy.reported_at is None:
        now = timezone.now()
        with transaction.atomic():
            copy.reported_at, copy.reported_by = now, request.user
            copy.save(update_fields=["reported_at", "reported_by"])
            ComplaintEvent.objects.create(
                complaint=complaint,
                kind=ComplaintEvent.Kind.NOTE,
                author=request.user,
                text=_("Note for the city: %(note)s") % {"note": duplicates.note_for_the_city(copy)},
                created_at=now,
            )
        messages.success(request, _("The note for the city is on the timeline."))
    return redirect("complaints_admin:detail", pk=complaint.pk)


def contact_details(complaint: Complaint) -> dict:
    reporter = complaint.reporter
    point = f"{complaint.latitude}, {complaint.longitude}" if complaint.latitude is not None else ""
    return {
        "name": reporter.public_name if reporter else "",
        "account_phone": (reporter.phone or "") if reporter else "",
        "contact_phone": complaint.contact_phone,
        "address": complaint.address,
        "point": point,
    }


def masked_contact(complaint: Complaint) -> dict:
    """What staff see until they reveal: the point rounded to about 100 m."""
    details = contact_details(complaint)
    point = ""
    if complaint.latitude is not None:
        point = f"{complaint.latitude:.3f}…, {complaint.longitude:.3f}…"
    return {
        "name": mask_name(details["name"]),
        "account_phone": mask_phone(details["account_phone"]) if details["account_phone"] else "",
        "contact_phone": mask_phone(details["contact_phone"]) if details["contact_phone"] else "",
        "address": mask_address(details["address"]),
        "point": point,
    }


@community_scoped_view(pk=COMPLAINT)
def reveal_contact(request, complaint):
    """Unmask the complainant's name, phone numbers, address and point for a stated reason, logged first."""
    if not request.user.has_perm("accounts.reveal_personal_data"):
        raise PermissionDenied
    form, revealed = reveal_for_reason(
        request,
        complaint.reporter,
        complaint.community,
        f"reveal complaint #{complaint.pk}: name, phone, address, point",
        lambda: contact_details(complaint),
    )
    return render(request, "complaints/admin/reveal.html", {"complaint": complaint, "form": form, "revealed": revealed})


@community_scoped_view(pk=COMPLAINT, photo_id=PHOTO)
def complaint_photo(request, complaint, photo):
    if photo.complaint_id != complaint.pk:
        raise Http404
    return serve_photo(photo, "private, max-age=3600")


@community_scoped_view(pk=COMPLAINT, photo_id=PHOTO)
def photo_visibility(request, complaint, photo):
    """Hide a photo from 反光镜 (faces, number plates), or show it again."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if photo.complaint_id != complaint.pk:
        raise Http404
    photo.hidden_from_public = request.POST.get("hidden") == "1"
    photo.save(update_fields=["hidden_from_public"])
    if photo.hidden_from_public:
        messages.success(request, _("The photo is hidden from the public record."))
    else:
        messages.success(request, _("The photo is shown on the public record."))
    return redirect("complaints_admin:detail", pk=complaint.pk)


def _run_action(request, complaint: Complaint, data: dict) -> None:
    action, text, worker = data["action"], data.get("text", "").strip(), request.user
    if action == "accept":
        cases.accept(complaint, worker, text)
    elif action == "escalate":
        if not complaint.category.goes_to_city:
            raise TransitionError(_("This category is handled locally and does not go to the city."))
        if complaint.state == CaseState.SUBMITTED:
            cases.accept(complaint, worker)
        delivery.escalate(complaint, author=worker, text=text)
    elif action == "settle":
        cases.settle_locally(complaint, worker, text)
    elif action == "duplicate":
        original = staff_complaints(worker).filter(pk=data["original"]).first()
        if original is None:
            raise TransitionError(_("There is no complaint #%(id)s you may act for.") % {"id": data["original"]})
        cases.mark_duplicate(complaint, original, worker)
    elif action in (CaseState.RETURNED, CaseState.NOT_RESPONSIBLE):
        cases.set_aside(complaint, action, worker, text)
    elif action in ("reply", "note"):
        cases.add_note(complaint, worker, text, public=action == "reply")
    elif action == "requeue":
        outbox = Outbox.objects.filter(complaint=complaint, state=Outbox.State.DEAD).first()
        if outbox is None:
            raise TransitionError(_("Only a dead-lettered delivery can be requeued."))
        _requeue(outbox)


def _requeue(outbox: Outbox) -> None:
    from .tasks import deliver_outbox

    delivery.requeue(outbox)
    transaction.on_commit(lambda: deliver_outbox.enqueue(outbox.pk))


def delivery_index(request):
    """Deliveries that need a person: dead-lettered, or failing for a while."""
    if not communities_for(request.user).exists():
        raise PermissionDenied
    outboxes = Outbox.objects.select_related("complaint__community", "complaint__category")
    needs_a_person = Q(state=Outbox.State.DEAD) | Q(attempts__gte=3) & ~Q(state=Outbox.State.DELIVERED)
    rows = scope_queryset(outboxes, request.user, "complaint__community").filter(needs_a_person)
    if request.method == "POST":
        outbox = get_object_or_404(rows, pk=request.POST.get("outbox"), state=Outbox.State.DEAD)
        _requeue(outbox)
        messages.success(request, _("The delivery is queued again."))
        return redirect("complaints_admin:deliveries")
    return render(request, "complaints/admin/deliveries.html", {"rows": rows.order_by("state", "next_try_at")})


def city_link(request):
    """Per endpoint, in the worker's communities: queue depth, oldest pending complaint, failures by kind
    in the last day, duplicates found at the city, and the delivery policy in force."""
    if not communities_for(request.user).exists():
        raise PermissionDenied
    since = timezone.now() - timedelta(days=1)
    outboxes = scope_queryset(Outbox.objects.all(), request.user, "complaint__community")
    queued = outboxes.filter(state__in=[Outbox.State.PENDING, Outbox.State.IN_FLIGHT, Outbox.State.AWAITING_TOKEN])
    failures = scope_queryset(
        DeliveryFailure.objects.filter(at__gte=since), request.user, "outbox__complaint__community"
    )
    copies = scope_queryset(CityDuplicate.objects.all(), request.user, "complaint__community")
    kinds = dict(DeliveryFailure.Kind.choices)
    rows = {}

    def row(key):
        key = key or "default"
        return rows.setdefault(
            key, {"key": key, "queued": 0, "oldest": None, "dead": 0, "failures": [], "copies": 0, "unreported": 0}
        )

    for endpoint in all_endpoints():
        row(endpoint.key)
    for item in queued.values("endpoint_key").annotate(n=Count("pk"), oldest=Min("created_at")):
        row(item["endpoint_key"]).update(queued=item["n"], oldest=item["oldest"])
    for item in outboxes.filter(state=Outbox.State.DEAD).values("endpoint_key").annotate(n=Count("pk")):
        row(item["endpoint_key"])["dead"] = item["n"]
    for item in failures.values("endpoint_key", "kind").annotate(n=Count("pk")).order_by("endpoint_key", "-n"):
        label = kinds.get(item["kind"], item["kind"])
        row(item["endpoint_key"])["failures"].append({"kind": item["kind"], "label": label, "n": item["n"]})
    for item in copies.values("endpoint_key").annotate(
        n=Count("pk"), unreported=Count("pk", filter=Q(reported_at=None))
    ):
        row(item["endpoint_key"]).update(copies=item["n"], unreported=item["unreported"])
    oldest = {
        key: queued.filter(endpoint_key__in=[key, ""] if key == "default" else [key])
        .order_by("created_at")
        .values_list("complaint_id", flat=True)
        .first()
        for key in rows
    }
    for key, values in rows.items():
        values["oldest_complaint"] = oldest[key]
    context = {"rows": sorted(rows.values(), key=lambda r: r["key"]), "policy": delivery_policy()}
    return render(request, "complaints/admin/city_link.html", context)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ComplaintSettings
        fields = ["allow_anonymous", "hidden_categories"]
        widgets = {"hidden_categories": forms.CheckboxSelectMultiple}


@community_scoped_view(community_id=Scoped(Community, to="community"))
def community_settings(request, community):
    instance = ComplaintSettings.for_community(community)
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Complaint settings saved."))
        return redirect("complaints_admin:settings", community_id=community.pk)
    return render(request, "complaints/admin/settings.html", {"form": form, "community": community})
