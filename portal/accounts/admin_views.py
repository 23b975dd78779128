"""Wagtail admin screens for workers: buildings, homes and memberships of their own communities only.

Every view is scoped by the one admin scoping mixin (portal.core.admin_scoping) on the one scoping
function; objects of other communities are a 404, not a 403, so their existence is not revealed either.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from portal.audit.log import record
from portal.core.admin_scoping import CommunityScopedViewSetMixin, Scoped, community_scoped_view
from portal.search.service import clean_query

from .identity import birth_date_from_id, id_hash
from .membership import notify_decision
from .models import Building, Home, Membership
from .scoping import staff_communities


class ScopedViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    copy_view_enabled = False


# Buildings -----------------------------------------------------------------------------------


class BuildingViewSet(ScopedViewSet):
    model = Building
    forbidden_actions = ("delete",)
    icon = "home"
    menu_order = 310
    list_display = ["name", "community", "units"]
    search_fields = ["name"]
    form_fields = ["community", "name", "units"]


# Homes ---------------------------------------------------------------------------------------


class HomeViewSet(ScopedViewSet):
    """Homes exist through memberships: workers correct them, nobody adds or deletes one here."""

    model = Home
    forbidden_actions = ("add", "delete")
    icon = "doc-empty"
    menu_order = 311
    list_display = ["masked_address", "community", "floor_area"]
    form_fields = ["floor_area"]
    add_view_class = generic.CreateView


# Memberships ---------------------------------------------------------------------------------


class MembershipDecisionForm(WagtailAdminModelForm):
    """Verify, reject (with a reason) or revoke a membership, and set the member's roles."""

    id_number_check = forms.CharField(
        label=gettext_lazy("ID number on the ID card (optional)"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Type the number from the card; it is compared with the stored fingerprint, not kept."),
        widget=forms.TextInput({"autocomplete": "off"}),
    )

    class Meta:
        model = Membership
        fields = ["status", "reason", "is_homeowner", "is_representative", "is_worker", "is_moderator"]

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status in (Membership.Status.REJECTED, Membership.Status.REVOKED) and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the resident a reason when you reject or revoke a membership."))
        number = data.get("id_number_check", "").strip()
        if number and (not self.instance.id_hash or id_hash(number) != self.instance.id_hash):
            self.add_error("id_number_check", _("This ID number does not match the one the resident gave."))
        elif number:
            # Memberships from before dates of birth were kept get theirs when a worker checks the card.
            self.instance.birth_date = birth_date_from_id(number)
        if status in Membership.ACTIVE and self.initial.get("status") not in Membership.ACTIVE:
            self._check_reactivation()
        return data

    def _check_reactivation(self):
        active = Membership.objects.filter(community=self.instance.community, status__in=Membership.ACTIVE)
        active = active.exclude(pk=self.instance.pk)
        if active.filter(user=self.instance.user).exists() or (
            self.instance.id_hash and active.filter(id_hash=self.instance.id_hash).exists()
        ):
            self.add_error("status", _("This person already has an active membership in this community."))

    def save(self, commit=True):
        decided = "status" in self.changed_data
        if decided:
            self.instance.decided_at = timezone.now()
            self.instance.decided_by = self.for_user
        membership = super().save(commit)
        if decided and commit:
            notify_decision(membership)
        return membership


class MembershipEditView(generic.EditView):
    """The worker's decision, beside what the applicant gave: masked name, phone and address, the building
    and home, the ID number's masked form and the household already verified there (the evidence); the
    visit is logged, and unmasking is the reveal view (with a reason, logged)."""

    template_name = "accounts/admin/membership_edit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.object
        record(
            self.request.user,
            membership.user,
            "view membership for verification (masked)",
            community=membership.community,
        )
        home = membership.home
        household = []
        if home is not None:
            household = [
                m.masked_real_name or m.member_name
                for m in Membership.objects.filter(home=home, status=Membership.Status.VERIFIED)
                .exclude(pk=membership.pk)
                .select_related("user")
            ]
        context["applicant"] = {
            "membership": membership,
            "home": home,
            "household": household,
            "phone_verified": bool(getattr(membership.user, "phone", "")),
            "may_reveal": self.request.user.has_perm("accounts.reveal_personal_data"),
            "reveal_url": reverse("accounts_membership_reveal", args=(quote(membership.pk),)),
        }
        return context


class MembershipInspectView(generic.InspectView):
    """Shows personal data masked; the visit itself is logged. Unmasking is the reveal view."""

    def get_context_data(self, **kwargs):
        record(self.request.user, self.object.user, "view membership (masked)", community=self.object.community)
        return super().get_context_data(**kwargs)

    def get_field_label(self, field_name, field):
        if field_name == "reveal":
            return _("Personal data")
        return super().get_field_label(field_name, field)

    def get_reveal_display_value(self):
        if not self.request.user.has_perm("accounts.reveal_personal_data"):
            return _("Masked")
        url = reverse("accounts_membership_reveal", args=(quote(self.object.pk),))
        return format_html('<a class="button button-small" href="{}">{}</a>', url, _("Reveal, with a reason"))


class MembershipViewSet(ScopedViewSet):
    """Memberships are created by residents and ended by revoking, never added or deleted here."""

    model = Membership
    forbidden_actions = ("add", "delete")
    icon = "user"
    menu_order = 309
    inspect_view_enabled = True
    inspect_view_class = MembershipInspectView
    edit_view_class = MembershipEditView
    add_view_class = generic.CreateView
    list_display = ["member_name", "masked_phone", "masked_address", "status", "applied_at"]
    list_filter = ["status"]
    list_export = ["member_name", "masked_phone", "masked_real_name", "masked_address", "id_masked", "status"]
    export_filename = "memberships"
    inspect_view_fields = [
        "member_name",
        "masked_phone",
        "masked_real_name",
        "masked_address",
        "id_masked",
        "status",
        "reason",
        "is_homeowner",
        "is_representative",
        "is_worker",
        "is_moderator",
        "applied_at",
        "decided_at",
        "reveal",
    ]

    def get_form_class(self, for_update=False):
        return MembershipDecisionForm


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need to see this person's personal data?"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
    )


def reveal_for_reason(request, subject, community, what, details):
    """The reveal form, and on a valid POST the audit record first, then `details()`: (form, revealed or None).

    The one way staff unmask personal data; callers check the permission and scope the object.
    """
    form = RevealForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None
    record(request.user, subject, what, form.cleaned_data["reason"], community=community)
    return form, details()


@community_scoped_view(pk=Scoped(Membership, to="membership", select_related=("user", "home__building", "community")))
def reveal_membership(request, membership):
    """Unmask a member's phone, real name and room for a stated reason; the reveal is audited first."""
    if not request.user.has_perm("accounts.reveal_personal_data"):
        raise PermissionDenied
    form, revealed = reveal_for_reason(
        request,
        membership.user,
        membership.community,
        "reveal phone, real name, room, date of birth",
        lambda: {
            _("Mobile number"): membership.user.phone,
            _("Real name"): membership.real_name,
            _("Address"): membership.home.address if membership.home else "",
            _("Date of birth"): membership.birth_date or "",
        },
    )
    context = {"membership": membership, "form": form, "revealed": revealed}
    return TemplateResponse(request, "accounts/admin/reveal.html", context)


# Participation rules: what each community asks before a resident may act there -------------------


class ParticipationRulesForm(forms.Form):
    """One choice per registered action (portal.accounts.actions), initially the community's current rule."""

    def __init__(self, *args, community, **kwargs):
        from . import actions

        super().__init__(*args, **kwargs)
        current = actions.requirements_for(community)
        self.actions = actions.registered()
        for action in self.actions:
            default = dict(action.choice_list())[action.default]
            self.fields[action.key] = forms.ChoiceField(
                label=capfirst(action.label),
                choices=action.choice_list(),
                initial=current[action.key],
                help_text=_("Default: %(requirement)s") % {"requirement": default},
            )

    def save(self, community, user) -> list[str]:
        """Store what differs from the defaults (and forget the rest); returns the keys that changed."""
        from .models import ActionRule

        rules = dict(ActionRule.objects.filter(community=community).values_list("action", "requirement"))
        changed = []
        for action in self.actions:
            wanted = self.cleaned_data[action.key]
            if rules.get(action.key, action.default) == wanted:
                continue
            changed.append(action.key)
            if wanted == action.default:
                rule = ActionRule.objects.get(community=community, action=action.key)
                log(rule, "wagtail.delete", user=user)  # Wagtail's history: who changed the rule, when
                rule.delete()
            else:
                rule, _created = ActionRule.objects.update_or_create(
                    community=community, action=action.key, defaults={"requirement": wanted}
                )
                log(rule, "wagtail.edit", user=user)
        return changed


RULES_PERMISSION = "accounts.change_actionrule"
RULES_INDEX_PAGE_SIZE = 50


def participation_rules_index(request):
    """Settings › Participation rules: the user's communities (straight to the one, if only one)."""
    if not request.user.has_perm(RULES_PERMISSION):
        raise PermissionDenied
    communities = staff_communities(request.user).order_by("name", "pk")
    query = clean_query(request.GET.get("q", "")).text
    if query:
        communities = communities.filter(name__icontains=query)
    # A page of them, searched by name: a city administrator acts for every community of the city.
    paginator = Paginator(communities.only("pk", "name"), RULES_INDEX_PAGE_SIZE)
    if not query and paginator.count == 1:
        return redirect("accounts_participation_rules", community_id=paginator.page(1)[0].pk)
    page = paginator.get_page(request.GET.get("p"))
    context = {
        "communities": page,
        "items": page,
        "elided_page_range": paginator.get_elided_page_range(page.number),
        "query": query,
    }
    return TemplateResponse(request, "accounts/admin/participation_rules_index.html", context)


@community_scoped_view(community_id=Scoped.community())
def participation_rules(request, community):
    """A worker sets, for each kind of action, whom their community allows."""
    if not request.user.has_perm(RULES_PERMISSION):
        raise PermissionDenied
    form = ParticipationRulesForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        form.save(community, request.user)
        messages.success(request, _("Participation rules of %(community)s saved.") % {"community": community})
        return redirect("accounts_participation_rules", community_id=community.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "community": community}
    return TemplateResponse(request, "accounts/admin/participation_rules.html", context, status=status)
