import csv
import secrets

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from portal.accounts.actions import decide
from portal.accounts.personal_text import screen_public_text

from .models import Answer, Participation, PollPage, Response
from .questions import build_form_class
from .tally import poll_results

VISITOR_COOKIE = "poll_visitor"
VISITOR_SALT = "participation.polls.visitor"


def visitor_token(request) -> str:
    """A visitor's signed random token, or "" if they have none yet."""
    try:
        return signing.loads(request.COOKIES.get(VISITOR_COOKIE, ""), salt=VISITOR_SALT)
    except signing.BadSignature:
        return ""


def audience_refusal(request, poll: PollPage, community) -> str | None:
    """Why this visitor may not answer, or None if they may (the one decision, portal.accounts.actions)."""
    decision = decide(request.user, community, "polls.answer", **poll.audience_options())
    return None if decision else decision.reason


def already_answered(request, poll: PollPage) -> bool:
    if request.user.is_authenticated:
        return Participation.objects.filter(poll=poll, user=request.user).exists()
    token = visitor_token(request)
    return bool(token) and Participation.objects.filter(poll=poll, visitor=token).exists()


def save_response(poll: PollPage, community, user, token: str, answers: dict) -> None:
    """The roll entry and the response in one transaction; the roll's unique constraint stops a second one."""
    questions = {q.key: q for q in poll.question_list}
    with transaction.atomic():
        Participation.objects.create(poll=poll, user=user, visitor="" if user else token)
        response = Response.objects.create(poll=poll, community=community, respondent=None if poll.anonymous else user)
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question_key=key,
                # Free text may be published: phone, ID and door numbers are masked before it is stored.
                value=screen_public_text(value) if questions[key].is_text and isinstance(value, str) else value,
                text_status=Answer.TextStatus.PENDING if questions[key].is_text else Answer.TextStatus.NOT_TEXT,
            )
            for key, value in answers.items()
        )


class PollForm:
    """The poll's form as poll_page.html shows it. Unbound (a GET), it is the same for everyone who may
    answer, so the template renders it once per published version of the poll (`{% sitewide with %}`, keyed
    by `sitewide_key`) and the Django form is built only when it is rendered."""

    def __init__(self, poll: PollPage, form=None):
        self.poll, self._form = poll, form

    @cached_property
    def questions(self):
        return self.poll.question_list

    @cached_property
    def form(self):
        return self._form if self._form is not None else build_form_class(self.questions)()

    @property
    def is_bound(self) -> bool:
        return self._form is not None

    @cached_property
    def question_fields(self):
        """Each question with its fields, so that the template does not look for them among all the form's."""
        return [(q, [self.form[name] for name in q.field_names()]) for q in self.questions]

    @property
    def sitewide_key(self) -> tuple:
        # The questions change only with a publish, which gives a new live revision.
        return ("poll form", self.poll.pk, self.poll.live_revision_id, self.poll.last_published_at)


def poll_view(request, poll: PollPage):
    community = poll.community(request)
    # A POST reaches this view only once PollPage.poll's guard has made the same decision and allowed it.
    refusal = None if request.method == "POST" else audience_refusal(request, poll, community)
    if not poll.is_open:
        refusal = _("This poll is closed.") if poll.is_closed else _("This poll has not opened yet.")
    answered = already_answered(request, poll)
    poll_form = PollForm(poll)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect(poll.get_url(request))
        if answered:
            messages.info(request, _("You have already answered this poll. Thank you!"))
            return redirect(poll.get_url(request))
        poll_form = PollForm(poll, build_form_class(poll_form.questions)(request.POST))
        if poll_form.form.is_valid():
            return answer(request, poll, community, poll_form.form.answers)
    context = poll.get_context(request)
    context.update(
        poll_form=poll_form,
        refusal=refusal,
        answered=answered,
        show_results_link=poll.results_visible_to(request.user),
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, poll.get_template(request), context, status=status)


def answer(request, poll: PollPage, community, answers: dict):
    """Save a valid answer and send the visitor back to the poll (a visitor gets their token's cookie)."""
    user = request.user if request.user.is_authenticated else None
    token = visitor_token(request) or secrets.token_urlsafe(24)
    try:
        save_response(poll, community, user, token, answers)
    except IntegrityError:
        messages.info(request, _("You have already answered this poll. Thank you!"))
        return redirect(poll.get_url(request))
    messages.success(request, _("Thank you: your answers are saved."))
    response = redirect(poll.get_url(request))
    if user is None:
        response.set_cookie(
            VISITOR_COOKIE,
            signing.dumps(token, salt=VISITOR_SALT),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
        )
    return response


def results_view(request, poll: PollPage):
    if not poll.results_visible_to(request.user):
        context = poll.get_context(request)
        context["hidden_reason"] = (
            _("Results are shown when the poll closes.")
            if poll.results_visibility == PollPage.ResultsVisibility.AFTER_CLOSE
            else _("Results of this poll are for staff only.")
        )
        return TemplateResponse(request, "participation/polls/poll_results.html", context, status=403)
    total, results = poll_results(poll)
    context = poll.get_context(request)
    context.update(total=total, results=results, is_staff=poll.user_is_staff_for(request.user))
    return TemplateResponse(request, "participation/polls/poll_results.html", context)


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def export_view(request, poll: PollPage):
    """Every response as one CSV row, UTF-8 with a BOM so spreadsheet programs show Chinese."""
    if not poll.user_is_staff_for(request.user):
        return HttpResponseForbidden(_("Only staff of this community can export responses."))
    questions = poll.question_list
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("response"), _("date"), _("respondent")] + [q.text for q in questions])
    responses = poll.responses.select_related("respondent").prefetch_related("answers").order_by("pk")
    for item in responses.iterator(chunk_size=2000):
        answers = {a.question_key: a.value for a in item.answers.all()}
        respondent = item.respondent.public_name if item.respondent else ""
        writer.writerow(
            [item.pk, item.submitted_on.isoformat(), respondent] + [_cell(answers.get(q.key)) for q in questions]
        )
    return response
