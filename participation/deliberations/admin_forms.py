from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Topic

# What cannot change once somebody has voted: it would change the question under their feet.
LOCKED_ONCE_VOTED = [
    "voting_starts",
    "electorate",
    "min_age",
    "quorum_percent",
    "majority",
    "double_participation",
    "double_approval",
    "double_approval_base",
    "secret",
]


LOCKED_MESSAGE = _("People have voted: the options, voting start, electorate and rules can no longer change.")


# The community and topic choices are cut to the worker's communities by the viewsets' scoping mixin
# (portal.core.admin_scoping), which wraps these forms.


class TopicForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        by_household = cleaned.get("electorate") in (Topic.Electorate.HOUSEHOLD, Topic.Electorate.HOMEOWNERS)
        if cleaned.get("majority") == Topic.Majority.DOUBLE and not by_household and not self.instance.legacy_register:
            self.add_error(
                "majority",
                _("A double majority counts floor area: choose homeowners or one vote per household as who may vote."),
            )
        community = cleaned.get("community")
        if community is not None:
            for item in self._chosen_files():
                if not item.collection.path.startswith(community.collection.path):
                    self.add_error(
                        None,
                        _("“%(title)s” belongs to another community's collection: choose files of %(community)s.")
                        % {"title": item.title, "community": community},
                    )
        if self.instance.pk and self.instance.ballots.exists():
            changed = [name for name in LOCKED_ONCE_VOTED if name in self.changed_data]
            if changed or self.formsets["options"].has_changed():
                raise forms.ValidationError(LOCKED_MESSAGE)
        return cleaned

    def _chosen_files(self):
        """The documents and update photos chosen in this form (deleted rows left out)."""
        for name, field in (("documents", "document"), ("updates", "photos")):
            for form in self.formsets[name].forms:
                # The child forms are cleaned after this form: clean them now (Django keeps the result).
                data = form.cleaned_data if form.is_valid() else {}
                if not data or data.get("DELETE") or not data.get(field):
                    continue
                if field == "document":
                    yield data[field]
                else:
                    yield from (block.value for block in data[field] if block.value is not None)


class VoterRegisterForm(WagtailAdminModelForm):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="username",
        widget=forms.TextInput,
        label=_("Resident (username)"),
        error_messages={"invalid_choice": _("No active account with this username.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only topics opened before memberships existed take their voters from a register.
        self.fields["topic"].queryset = Topic.objects.filter(legacy_register=True)
        if self.instance.pk:
            self.initial["user"] = self.instance.user.username
