from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.navigation import Section, is_community_site


@hooks.register("register_community_section")
def governance_section(request, site):
    if not is_community_site(site):
        return None
    return Section("governance", _("Self-governance"), reverse("governance:index"))
