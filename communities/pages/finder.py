"""Find "my community" on the city's front door: by its name, its street or district, or an address."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.regions.models import Community

MAX_RESULTS = 20
_CJK = "\u4e00-\u9fff"
# The road or estate inside an address: 人民路12号 -> 人民路; 翠园小区3栋 -> 翠园小区.
PLACE_RE = re.compile(rf"[{_CJK}]{{1,10}}?(?:大道|大街|街道|公路|胡同|小区|花园|家园|新村|公寓|路|街|巷|苑|园|村)")


class CommunityFinderForm(forms.Form):
    q = forms.CharField(
        label=_("Your community's name, or your address"),
        help_text=_("For example 翠园, 甲街道 or 人民路12号."),
        max_length=50,
    )

    def clean_q(self):
        text = re.sub(r"\s+", " ", self.cleaned_data["q"]).strip()
        if len(re.sub(rf"[^{_CJK}A-Za-z0-9]", "", text)) < 2:
            raise forms.ValidationError(_("Write at least two characters of your community's name or of your address."))
        return text

    def terms(self) -> list[str]:
        """What to look for: the text as typed, without house numbers, and the roads or estates in it."""
        text = self.cleaned_data["q"]
        terms = [text, re.sub(r"[\d\-－号栋幢座单元室弄]+$", "", text).strip()]
        terms += PLACE_RE.findall(text)
        return [term for term in dict.fromkeys(terms) if len(term) >= 2]

    def matches(self):
        """At most MAX_RESULTS communities, by name."""
        condition = Q()
        for term in self.terms():
            condition |= (
                Q(name__icontains=term)
                | Q(street__name__icontains=term)
                | Q(street__parent__name__icontains=term)
                | Q(site__communitysettings__display_name__icontains=term)
                | Q(site__communitysettings__address__icontains=term)
            )
        found = Community.objects.filter(pk__in=Community.objects.filter(condition).values("pk"))
        return list(found.select_related("site", "street__parent").order_by("name")[:MAX_RESULTS])
