from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import counting
from .models import Objection, VoterRoll


def ballot_fields(form, posts: dict, write_ins=True, online=False):
    """Per post: the candidates (checkboxes), write-in voter numbers (另选他人, not in a run-off) and "abstain".

    A paper ballot is recorded as marked (over the limit it is invalid for that post); the online ballot
    refuses more marks than seats before anything is stored (`refuse_over_the_limit`)."""
    for post, candidates in posts.items():
        key = str(post.pk)
        limit = (
            _("Choose up to %(n)s.")
            if online
            else _("Choose up to %(n)s. More than that makes your ballot invalid for this post.")
        )
        form.fields[f"post_{key}"] = forms.MultipleChoiceField(
            label=post.name,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(k, c.person.public_name) for k, c in candidates.items()],
            help_text=limit % {"n": post.seats},
        )
        if write_ins:
            form.fields[f"write_in_{key}"] = forms.CharField(
                label=_("Write in another eligible person (voter numbers, separated by spaces)"),
                required=False,
                max_length=200,
            )
        form.fields[f"abstain_{key}"] = forms.BooleanField(label=_("Abstain for this post"), required=False)


def refuse_over_the_limit(form, posts: dict) -> None:
    """An online ballot with more marks (candidates and write-ins) than a post's seats is sent back."""
    for post in posts:
        key = str(post.pk)
        if form.cleaned_data.get(f"abstain_{key}"):
            continue
        chosen = len(form.cleaned_data.get(f"post_{key}") or [])
        chosen += len(form.cleaned_data.get(f"write_in_{key}", "").replace(",", " ").split())
        if chosen > post.seats:
            form.add_error(
                f"post_{key}",
                _("You chose %(n)s for %(post)s, which has %(seats)s seat(s): choose at most %(seats)s.")
                % {"n": chosen, "post": post.name, "seats": post.seats},
            )


def choices_from(form, posts: dict) -> dict:
    choices = {}
    for post in posts:
        key = str(post.pk)
        if form.cleaned_data.get(f"abstain_{key}"):
            choices[key] = [counting.ABSTAIN]
            continue
        marks = list(form.cleaned_data.get(f"post_{key}") or [])
        marks += [f"w:{n}" for n in form.cleaned_data.get(f"write_in_{key}", "").replace(",", " ").split()]
        choices[key] = marks
    return choices


class BallotForm(forms.Form):
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, posts, *args, write_ins=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.posts = posts
        ballot_fields(self, posts, write_ins, online=True)

    def clean(self):
        cleaned = super().clean()
        for post in self.posts:
            numbers = cleaned.get(f"write_in_{post.pk}", "").replace(",", " ").split()
            if any(not n.isdigit() or len(n) > 9 for n in numbers):
                self.add_error(f"write_in_{post.pk}", _("Write voter numbers, digits only."))
        refuse_over_the_limit(self, self.posts)
        return cleaned

    def choices(self) -> dict:
        return choices_from(self, self.posts)


class PaperBallotForm(forms.Form):
    """A paper ballot, at the polling station or from the roving ballot box (two workers record it)."""

    voter_number = forms.IntegerField(label=_("Voter number"), min_value=1, max_value=10**9)
    channel = forms.ChoiceField(
        label=_("Where"),
        choices=[
            (VoterRoll.Channel.PAPER, VoterRoll.Channel.PAPER.label),
            (VoterRoll.Channel.ROVING, VoterRoll.Channel.ROVING.label),
        ],
    )
    witness = forms.CharField(
        label=_("Second worker (user name)"),
        max_length=150,
        required=False,
        help_text=_("The roving ballot box is carried by two workers: the second confirms with their password."),
    )
    witness_password = forms.CharField(label=_("Second worker's password"), required=False, widget=forms.PasswordInput)

    def __init__(self, posts, *args, worker=None, election=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.posts, self.worker, self.election = posts, worker, election
        ballot_fields(self, posts, write_ins=election is None or not election.is_runoff)

    def clean(self):
        cleaned = super().clean()
        for post in self.posts:
            numbers = cleaned.get(f"write_in_{post.pk}", "").replace(",", " ").split()
            if any(not n.isdigit() or len(n) > 9 for n in numbers):
                self.add_error(f"write_in_{post.pk}", _("Write voter numbers, digits only."))
        if cleaned.get("channel") == VoterRoll.Channel.ROVING:
            name = cleaned.get("witness", "")
            witness = get_user_model().objects.filter(username=name, is_active=True).first()
            if witness is None or not witness.check_password(cleaned.get("witness_password") or ""):
                self.add_error("witness", _("The second worker's user name or password is wrong."))
            elif not self._works_here(witness):
                self.add_error("witness", _("The second worker must be a worker of this community."))
            elif self.worker is not None and witness.pk == self.worker.pk:
                self.add_error("witness", _("The second worker must be someone else."))
            cleaned["witness_user"] = witness
        return cleaned

    def _works_here(self, witness) -> bool:
        from communities.regions.scoping import scope_queryset

        from .models import Election

        if self.election is None or not witness.has_perm("elections.change_election"):
            return False
        return scope_queryset(Election.objects.filter(pk=self.election.pk), witness).exists()

    def choices(self) -> dict:
        return choices_from(self, self.posts)


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["kind", "about_number", "text"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Objection.Kind.WRONG and not cleaned.get("about_number"):
            self.add_error("about_number", _("Give the voter number of the entry you object to."))
        return cleaned


class NominationForm(forms.Form):
    post = forms.TypedChoiceField(label=pgettext_lazy("election", "Post"), coerce=int)
    number = forms.IntegerField(label=_("Voter number of the person you nominate"), min_value=1, max_value=10**9)

    def __init__(self, election, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.pk, p.name) for p in election.posts.all()]


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Your answer"), coerce=lambda v: v == "yes", choices=[("yes", _("I accept")), ("no", _("I decline"))]
    )
    statement = forms.CharField(label=_("Your statement"), widget=forms.Textarea, required=False, max_length=2000)
