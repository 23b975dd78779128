"""The compliance view for community and street workers: which organisations are late, and with what."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from communities.regions.scoping import communities_for

from .compliance import late_organisations
from .models import OrganisationPage, organisations_for_communities
from .questions import admin_question_detail, admin_question_list


def organisations_in_scope(user):
    if user.is_superuser:
        return OrganisationPage.objects.live()
    return organisations_for_communities(communities_for(user).values_list("pk", flat=True))


def compliance_view(request):
    if not communities_for(request.user).exists():
        raise PermissionDenied
    today = timezone.localdate()
    organisations = organisations_in_scope(request.user).order_by("title")
    late = late_organisations(organisations.prefetch_related("financial_reports", "major_events"), today)
    return render(
        request,
        "organisations/admin/compliance.html",
        {"late": late, "checked": organisations.count(), "today": today},
    )


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):
        return communities_for(request.user).exists()


@hooks.register("register_admin_urls")
def register_compliance_url():
    return [
        path("organisations/compliance/", compliance_view, name="organisations_compliance"),
        path("organisations/questions/", admin_question_list, name="organisations_questions"),
        path("organisations/questions/<id:pk>/", admin_question_detail, name="organisations_question"),
    ]


class QuestionsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return communities_for(user).exists() or user.groups.filter(organisation_access__isnull=False).exists()


@hooks.register("register_admin_menu_item")
def register_questions_menu_item():
    return QuestionsMenuItem(
        _("Questions to organisations"), reverse("organisations_questions"), icon_name="help", order=901
    )


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item():
    return ComplianceMenuItem(
        _("Disclosure compliance"), reverse("organisations_compliance"), icon_name="warning", order=900
    )
