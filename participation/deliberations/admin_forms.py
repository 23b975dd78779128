from django import forms
from django.contrib.auth import get_user_model
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from communities.regions.scoping import communities_for

from .models import DeliberationSettings, ScheduleChange, Topic

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


LOCKED_MESSAGE = _(
    "People have voted: the options, voting start, electorate, buildings and rules can no longer change."
)


def _when(moment) -> str:
    return formats.date_format(localtime(moment), "DATETIME_FORMAT")


# The community and topic choices are cut to the worker's communities by the viewsets' scoping mixin
# (portal.core.admin_scoping), which wraps these forms.


class TopicForm(WagtailAdminModelForm):
    schedule_change_reason = forms.CharField(
        label=_("Reason for moving the end of voting"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed once people have voted, to shorten the vote or to move the end of a vote without a quorum. "
            "It is published on the topic's page."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.votes_cast = self.instance.roll.count() if self.instance.pk else 0
        if self.votes_cast and "voting_ends" in self.fields:
            self.fields["voting_ends"].help_text = _(
                "Warning: %(n)s people have voted. Shortening the vote, or moving its end when there is no quorum, "
                "needs a reason below, which is published on the topic with the old and the new date."
            ) % {"n": self.votes_cast}
        if not self.instance.pk and "quorum_percent" in self.fields:
            communities = communities_for(self.for_user) if self.for_user is not None else None
            community = communities.first() if communities is not None and communities.count() == 1 else None
            if community is not None:
                self.initial["quorum_percent"] = DeliberationSettings.for_community(community).default_quorum_percent
            self.fields["quorum_percent"].help_text = _(
                "0 means no quorum. Left as it is, a new topic takes its community's default quorum."
            )

    def clean(self):
        cleaned = super().clean()
        self._apply_default_quorum(cleaned)
        self._check_buildings(cleaned)
        self._check_schedule_change(cleaned)
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
            if changed or self.formsets["options"].has_changed() or self.formsets["voting_buildings"].has_changed():
                raise forms.ValidationError(LOCKED_MESSAGE)
        return cleaned

    def _apply_default_quorum(self, cleaned):
        """A new topic whose quorum the worker did not touch takes its community's default."""
        community = cleaned.get("community")
        if self.instance.pk or community is None or "quorum_percent" in self.changed_data:
            return
        if "quorum_percent" in self.fields:
            cleaned["quorum_percent"] = DeliberationSettings.for_community(community).default_quorum_percent

    def _check_buildings(self, cleaned):
        community = cleaned.get("community")
        if community is None or "voting_buildings" not in self.formsets:
            return
        for form in self.formsets["voting_buildings"].forms:
            data = form.cleaned_data if form.is_valid() else {}
            building = data.get("building")
            if building is not None and not data.get("DELETE") and building.community_id != community.pk:
                self.add_error(
                    None,
                    _("%(building)s is a building of another community: choose buildings of %(community)s.")
                    % {"building": building, "community": community},
                )

    def _check_schedule_change(self, cleaned):
        """Once people have voted, the end of voting moves only in the open: shortening the vote, or moving a
        vote without a quorum (whose result depends on who has had the time to vote), needs a reason."""
        self.schedule_change = None
        if not self.instance.pk or "voting_ends" not in self.changed_data or not self.votes_cast:
            return
        old_ends, quorum = Topic.objects.values_list("voting_ends", "quorum_percent").get(pk=self.instance.pk)
        new_ends = cleaned.get("voting_ends")
        if new_ends is None or new_ends == old_ends:
            return
        if self.instance.sealed_at:
            self.add_error("voting_ends", _("The ballot log is sealed: the end of voting can no longer move."))
            return
        reason = cleaned.get("schedule_change_reason", "").strip()
        needs_reason = new_ends < old_ends or not quorum
        if needs_reason and not reason:
            self.add_error(
                "schedule_change_reason",
                _("People have voted: say why the end of voting moves from %(old)s to %(new)s.")
                % {"old": _when(old_ends), "new": _when(new_ends)},
            )
            return
        self.schedule_change = ScheduleChange(
            topic=self.instance,
            changed_by=self.for_user,
            old_voting_ends=old_ends,
            new_voting_ends=new_ends,
            votes_cast=self.votes_cast,
            reason=reason,
        )

    def save(self, commit=True):
        topic = super().save(commit=commit)
        if commit and getattr(self, "schedule_change", None) is not None:
            self.schedule_change.save()
        return topic

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
