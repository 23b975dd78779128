from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.search import places

from . import query, registry, rollup


def area_choices(user) -> list[tuple[str, str]]:
    """The districts, streets and communities with some community the user may act for."""
    mine = query.scoped_community_ids(user)
    everywhere = places.all_places()
    seen: dict[str, str] = {}
    for community_id in sorted(mine):
        place = everywhere.get(community_id)
        if place is None:
            continue
        if place.district_id:
            seen.setdefault(f"district:{place.district_id}", f"{place.district}")
        if place.street_id:
            seen.setdefault(f"street:{place.street_id}", f"{place.district} / {place.street}")
        seen.setdefault(f"community:{community_id}", f"{place.district} / {place.street} / {place.community}")
    return [("", _("All my communities"))] + sorted(seen.items(), key=lambda item: item[1])


def category_choices() -> list[tuple[str, str]]:
    names: dict = {}
    readers = {f.dimension_names for f in registry.figures() if f.dimension_names and f.filtered_by_category}
    for read in readers:  # each once (the complaints' figures share one)
        names.update(read())
    return [("", _("All categories"))] + sorted(names.items(), key=lambda item: item[1])


class FilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.ChoiceField(label=_("Complaint category"), required=False)

    def __init__(self, data, user, *args, **kwargs):
        today = rollup.today()
        data = data.copy() if data is not None else {}
        data.setdefault("start", (today - timedelta(days=29)).isoformat())
        data.setdefault("end", today.isoformat())
        super().__init__(data, *args, **kwargs)
        self.user = user
        choices = area_choices(user)
        self.fields["area"].choices = choices  # what may be chosen: every area of the user's scope
        # What the select offers: districts and streets (they do not grow with the city) and the community in
        # view; a community is reached by drilling down from its street's table.
        current = self.data.get("area") if self.is_bound else self.initial.get("area")
        self.fields["area"].widget.choices = [
            (key, label) for key, label in choices if not key.startswith("community:") or key == current
        ]
        self.fields["category"].choices = category_choices()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                query.check_period(start, end)
            except query.InsightsError as error:
                self.add_error("end", str(error))
        area = cleaned.get("area")
        cleaned["area_tuple"] = None
        if area:
            level, _sep, pk = area.partition(":")
            cleaned["area_tuple"] = (level, int(pk))
        return cleaned
