"""Residents' questions to an organisation: asked on its page, approved by the community's staff,
answered by the organisation's staff. Pre-moderated: nothing a resident writes is public before approval,
and what is asked passes the forum's posting rules first (participation.moderation).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from communities.regions.scoping import communities_for, scope_queryset
from participation.moderation.services import PostingRefused, check_posting
from portal.accounts.personal_text import screen_public_text
from portal.core import sites
from portal.core.admin_scoping import Scoped, community_scoped_view

from .models import Question


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"), min_length=5, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))


def public_questions(organisation):
    return organisation.questions.filter(status=Question.Status.APPROVED).order_by("-created_at")


def questions_page(request, organisation):
    """GET: the approved questions and answers; POST: a logged-in resident asks one."""
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            community = sites.community_for_request(request) or organisation.home_community()
            body = screen_public_text(form.cleaned_data["body"])  # shown publicly once approved
            try:
                # The forum's rules: suspensions, rate limits, new-account limits, sensitive words.
                prior = Question.objects.filter(author=request.user).count()
                check_posting(request, community, body, prior_posts=prior, action="organisation_question")
            except PostingRefused as refusal:
                form.add_error("body", str(refusal))
            else:
                Question.objects.create(organisation=organisation, community=community, author=request.user, body=body)
                messages.success(request, _gettext("Thank you. Your question will appear here once it is approved."))
                return redirect(request.path)
    context = {"page": organisation, "questions": public_questions(organisation)[:100], "form": form}
    return render(request, "organisations/questions.html", context, status=400 if form.errors else 200)


def questions_for(user):
    """Questions a staff user may see: those of their communities, and those to their own organisation."""
    if user.is_superuser:
        return Question.objects.all()
    in_communities = scope_queryset(Question.objects.all(), user)
    return (in_communities | to_own_organisation(user)).distinct()


def can_moderate(user, question):
    return user.is_superuser or communities_for(user).filter(pk=question.community_id).exists()


def can_answer(user, question):
    if user.is_superuser:
        return True
    access = getattr(question.organisation, "access", None)
    return access is not None and user.groups.filter(pk=access.staff_group_id).exists()


def admin_question_list(request):
    questions = questions_for(request.user).select_related("organisation", "community", "author")
    if not questions.exists() and not communities_for(request.user).exists():
        if not request.user.groups.filter(organisation_access__isnull=False).exists():
            raise PermissionDenied
    status = request.GET.get("status", Question.Status.PENDING)
    if status in Question.Status.values:
        questions = questions.filter(status=status)
    return render(
        request,
        "organisations/admin/questions.html",
        {"questions": questions[:200], "status": status, "statuses": Question.Status.choices},
    )


def to_own_organisation(user):
    """Questions a user reaches as staff of the organisation they are addressed to (not of a community)."""
    return Question.objects.filter(organisation__access__staff_group__in=user.groups.all())


@community_scoped_view(pk=Scoped(Question, to="question", select_related=("organisation",), also=to_own_organisation))
def admin_question_detail(request, question):
    moderate, answer = can_moderate(request.user, question), can_answer(request.user, question)
    form = AnswerForm(request.POST or None, initial={"answer": question.answer}) if answer else None
    if request.method == "POST":
        action = request.POST.get("action")
        now = timezone.now()
        if action in ("approve", "reject") and moderate:
            question.status = Question.Status.APPROVED if action == "approve" else Question.Status.REJECTED
            question.moderated_by, question.moderated_at = request.user, now
            question.save(update_fields=["status", "moderated_by", "moderated_at"])
            return redirect("organisations_questions")
        if action == "answer" and answer and form.is_valid():
            question.answer = form.cleaned_data["answer"]
            question.answered_by, question.answered_at = request.user, now
            question.save(update_fields=["answer", "answered_by", "answered_at"])
            return redirect("organisations_questions")
        if action not in ("answer",) or not answer:
            raise PermissionDenied
    return render(
        request,
        "organisations/admin/question.html",
        {"question": question, "form": form, "can_moderate": moderate},
        status=400 if form is not None and form.errors else 200,
    )
