"""Complaints by message (我有话说 in WeChat): a message starting with one of the community's start words
(ComplaintSettings.wechat_words: 投诉, 报事, 反映 by default) starts a short dialogue.

The bot asks for what is missing (the description, the category, the city's questions of that category,
the place, a photo), shows a summary, and on confirmation a task files the complaint through the web
form's own code path: `ComplaintForm` (which validates the answers with `attributes.validate()`, the
place against the community's boundary and the photo with the upload checks) and `cases.submit`, under
the follower's bound portal account, after the one decision `portal.accounts.actions.decide`. The
reference goes back through the customer-service API; later status changes arrive as template messages
(the WeChat delivery channel of notifications).

The dialogue lives in `portal.wechat.dialogues` (the cache, with an expiry); 取消 ends it at any step.
Registered with portal.wechat's handler registry from the app's `ready` (portal imports nothing from here).
"""

import logging
import math
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django_tasks import task

from portal.wechat import config, dialogues, handlers

logger = logging.getLogger("portal.wechat")

KIND = "complaint"
START_WORDS = "complaints.start_words"
CANCEL_WORDS = {"取消", "cancel"}
SKIP_WORDS = {"跳过", "skip", "无", "没有"}
CONFIRM_WORDS = {"1", "确认", "确定", "是", "confirm", "yes"}
MAX_CATEGORIES = 9  # offered by number; the best matches of the description first


def start_words(community) -> list[str]:
    """From the WeChat configuration map (no query per message); a community without settings has the default."""
    from .models import ComplaintSettings

    words = config.registered_value(START_WORDS, community.pk)
    if words is None:
        words = ComplaintSettings._meta.get_field("wechat_words").default
    return [word for word in words.split() if word]


def _start_words_by_community() -> dict:
    from .models import ComplaintSettings

    return dict(ComplaintSettings.objects.values_list("community_id", "wechat_words"))


def categories_for(community, description: str):
    """The community's categories, those whose name or keywords occur in the description first."""
    from .models import ComplaintSettings, ServiceCategory

    complaint_settings = ComplaintSettings.for_community(community)
    hidden = complaint_settings.hidden_categories.all() if complaint_settings.pk else []
    available = list(ServiceCategory.objects.filter(retired=False).exclude(pk__in=hidden).order_by("group", "name"))

    def matches(category) -> bool:
        words = [category.name, *category.keywords.replace("，", ",").split(",")]
        return any(word.strip() and word.strip() in description for word in words)

    return sorted(available, key=lambda category: not matches(category))[:MAX_CATEGORIES]


def attribute_questions(category):
    from . import attributes

    return attributes.definitions(category)


# The dialogue ------------------------------------------------------------------------------------------


def handle(account, message):
    """The handler registered with portal.wechat: None when the message is not the dialogue's."""
    openid = message.source
    if message.type == "event" and message.event == "location":
        dialogues.remember_location(account, openid, message.latitude, message.longitude)
        state = dialogues.load(account, openid)
        if state and state.get("kind") == KIND and state["step"] == "place":
            problem = place_problem(account.community, message.latitude, message.longitude)
            if problem:
                return problem
            label = _("Shared location (%(lat).5f, %(lon).5f)") % {"lat": message.latitude, "lon": message.longitude}
            return place_given(account, openid, state, label, message.latitude, message.longitude)
        return None
    state = dialogues.load(account, openid)
    if state is not None and state.get("kind") != KIND:
        return None  # another app's dialogue
    text = message.content.strip() if message.type == "text" else ""
    if state is None:
        return start(account, message, text) if text else None
    if text.lower() in CANCEL_WORDS:
        dialogues.end(account, openid)
        return _("Your complaint was cancelled; nothing was filed.")
    return STEPS[state["step"]](account, message, state, text)


def start(account, message, text: str):
    community = account.community
    word = next((w for w in start_words(community) if text.startswith(w)), None)
    if word is None:
        return None
    from portal.accounts.actions import decide
    from portal.wechat.residents import bind_url, bound_user

    user = bound_user(account, message.source)
    if user is None:
        return _(
            "To file a complaint, first bind WeChat to your account on the community's site (once): %(link)s\n"
            "Then send your complaint again."
        ) % {"link": handlers.link(bind_url(account), _("Bind my account"))}
    decision = decide(user, community, "complaints.submit")
    if not decision:
        return decision.reason
    state = {"kind": KIND, "step": "description", "description": text[len(word) :].strip(" ：:，,")}
    if not state["description"]:
        dialogues.save(account, message.source, state)
        return _("What happened? Describe the problem in a few words (reply 取消 to cancel).")
    return ask_category(account, message.source, state)


def description_given(account, message, state, text):
    if not text:
        return _("Please describe the problem in words.")
    state["description"] = text
    return ask_category(account, message.source, state)


def ask_category(account, openid, state):
    offered = categories_for(account.community, state["description"])
    if not offered:
        dialogues.end(account, openid)
        return _("This community takes no complaints by message at the moment; please use its site.")
    state.update(step="category", offered=[category.pk for category in offered])
    dialogues.save(account, openid, state)
    lines = [_("Which kind of problem is it? Reply with its number:")]
    lines += [f"{number}. {category.name}" for number, category in enumerate(offered, 1)]
    lines.append(_("(Reply 取消 to cancel.)"))
    return "\n".join(lines)


def category_given(account, message, state, text):
    from .models import ServiceCategory

    offered = state["offered"]
    if not (text.isdigit() and 1 <= int(text) <= len(offered)):
        return _("Reply with a number from 1 to %(max)s.") % {"max": len(offered)}
    category = ServiceCategory.objects.get(pk=offered[int(text) - 1])
    state.update(category=category.pk, category_name=category.name, answers={}, question=0)
    return ask_attribute_or_place(account, message.source, state, category)


def ask_attribute_or_place(account, openid, state, category=None):
    from .models import ServiceCategory

    category = category or ServiceCategory.objects.get(pk=state["category"])
    questions = attribute_questions(category)
    if state["question"] < len(questions):
        question = questions[state["question"]]
        state["step"] = "attribute"
        dialogues.save(account, openid, state)
        lines = [question.description + ("" if question.required else _(" (optional: reply 跳过 to skip)"))]
        if question.help:
            lines.append(question.help)
        lines += [f"{number}. {name}" for number, (_key, name) in enumerate(question.choices, 1)]
        return "\n".join(lines)
    state["step"] = "place"
    dialogues.save(account, openid, state)
    return _("Where is it? Send the place in words, or share your location (＋ › 位置).")


def attribute_given(account, message, state, text):
    from django.core.exceptions import ValidationError

    from . import attributes
    from .models import ServiceCategory

    category = ServiceCategory.objects.get(pk=state["category"])
    question = attribute_questions(category)[state["question"]]
    raw = "" if text.lower() in SKIP_WORDS else text
    if question.choices and raw.isdigit() and 1 <= int(raw) <= len(question.choices):
        raw = question.choices[int(raw) - 1][0]
    if question.datatype == "multivaluelist":
        raw = [
            question.choices[int(n) - 1][0] if n.isdigit() and 0 < int(n) <= len(question.choices) else n
            for n in raw.replace("，", ",").replace(" ", ",").split(",")
            if n
        ]
    try:
        attributes.clean_value(question, raw)  # told now; the form validates all of them again on filing
    except ValidationError as error:
        return " ".join(error.messages)
    state["answers"][question.code] = raw
    state["question"] += 1
    return ask_attribute_or_place(account, message.source, state, category)


def place_given(account, openid, state, address, latitude=None, longitude=None):
    state.update(step="photo", address=address[:300], latitude=latitude, longitude=longitude)
    dialogues.save(account, openid, state)
    return _("A photo helps: send one now, or reply 跳过 to go on without.")


def place_problem(community, latitude, longitude) -> str | None:
    """What is wrong with a shared location (GCJ-02, as WeChat sends it), told at once, or None: the same check
    as the form's (communities.regions.boundaries.point_error), against the community's region boundary or the
    city's box. One small query, only for a location given at the place step: boundaries (up to
    PORTAL_BOUNDARY_MAX_BYTES each) are not held in every process's WeChat configuration map."""
    from communities.regions.boundaries import point_error
    from communities.regions.models import Community

    from .geo import gcj02_to_wgs84

    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        latitude = longitude = math.nan
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return _("That location could not be read. Send the place in words, or share your location again.")
    latitude, longitude = gcj02_to_wgs84(latitude, longitude)
    boundary = Community.objects.filter(pk=community.pk).values_list("boundary", flat=True).first()
    problem = point_error(latitude, longitude, boundary, community.name)
    if problem is None:
        return None
    return _("%(problem)s Send the place in words, or share another location.") % {"problem": problem.message}


def place_message(account, message, state, text):
    if message.type == "location":
        problem = place_problem(account.community, message.location_x, message.location_y)
        if problem:
            return problem
        label = message.label or _("Shared location")
        return place_given(account, message.source, state, label, float(message.location_x), float(message.location_y))
    if not text:
        return _("Send the place in words, or share your location.")
    return place_given(account, message.source, state, text)


def photo_given(account, message, state, text):
    if message.type == "image":
        state["media_ids"] = [message.media_id]
    elif text.lower() not in SKIP_WORDS:
        return _("Send a photo, or reply 跳过.")
    state["step"] = "confirm"
    dialogues.save(account, message.source, state)
    return summary(state)


def summary(state) -> str:
    lines = [
        _("Your complaint:"),
        _("Problem: %(text)s") % {"text": state["description"]},
        _("Category: %(name)s") % {"name": state["category_name"]},
        _("Place: %(place)s") % {"place": state["address"]},
        _("Photo: %(count)s") % {"count": len(state.get("media_ids", []))},
        _("Reply 1 to file it, or 取消 to cancel."),
    ]
    return handlers.cut("\n".join(lines))


def confirmed(account, message, state, text):
    if text.lower() not in CONFIRM_WORDS:
        return summary(state)
    dialogues.end(account, message.source)
    args = (account.pk, message.source, state)
    transaction.on_commit(lambda: file_complaint.enqueue(*args))
    return _("Filing your complaint… its reference follows in a moment.")


STEPS = {
    "description": description_given,
    "category": category_given,
    "attribute": attribute_given,
    "place": place_message,
    "photo": photo_given,
    "confirm": confirmed,
}


# Filing, in a task (it downloads the photo from WeChat and answers through the API) -------------------


def form_data(state) -> dict:
    from .forms import ComplaintForm
    from .models import Complaint

    data = {
        "kind": Complaint.Kind.HAZARD,
        "category": state["category"],
        "description": state["description"],
        "address": state["address"],
        "public": "",
        "contact_preference": Complaint.Contact.SITE,
        "contact_phone": "",
    }
    if state.get("latitude") is not None:
        # WeChat gives places in GCJ-02, as Chinese web maps do; the form converts them.
        data.update(latitude=state["latitude"], longitude=state["longitude"], coordinate_system="gcj02")
    for code, value in (state.get("answers") or {}).items():
        data[ComplaintForm.attribute_name(SimpleNamespace(pk=state["category"]), code)] = value
    return data


def _as_query(data: dict) -> MultiValueDict:
    return MultiValueDict({k: (v if isinstance(v, list) else [v]) for k, v in data.items() if v is not None})


@task()
def file_complaint(account_id: int, openid: str, state: dict) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wechatpy.exceptions import WeChatClientException

    from portal.accounts.actions import decide
    from portal.core.links import site_url
    from portal.wechat.client import Client
    from portal.wechat.models import Account
    from portal.wechat.residents import bound_user, download_media

    from . import cases
    from .forms import ComplaintForm
    from .models import ComplaintSettings

    account = Account.objects.select_related("community__site").filter(pk=account_id).first()
    if account is None:
        return "no account"
    community = account.community
    client = Client.for_account(account)

    def answer(text: str) -> str:
        try:
            client.message.send_text(openid, handlers.cut(text))
        except WeChatClientException as error:
            logger.warning("wechat: complaint answer not sent for %s: %s", community.slug, error.errcode)
        return text

    with translation.override(settings.LANGUAGE_CODE):
        user = bound_user(account, openid)
        if user is None:
            return answer(_("Your WeChat is no longer bound to an account: nothing was filed."))
        decision = decide(user, community, "complaints.submit")
        if not decision:
            return answer(decision.reason)
        files = []
        for number, media_id in enumerate(state.get("media_ids") or [], 1):
            try:
                content = download_media(account, media_id)
            except WeChatClientException as error:
                logger.warning("wechat: photo %s not downloaded for %s: %s", number, community.slug, error.errcode)
                return answer(_("Your photo could not be fetched from WeChat; please send your complaint again."))
            files.append(SimpleUploadedFile(f"wechat-{number}.jpg", content))
        form = ComplaintForm(
            _as_query(form_data(state)),
            MultiValueDict({"photos": files}),
            community=community,
            complaint_settings=ComplaintSettings.for_community(community),
        )
        if not form.is_valid():
            problems = "; ".join(str(m) for messages in form.errors.values() for m in messages)
            return answer(_("Your complaint could not be filed: %(problems)s") % {"problems": problems})
        values = {k: v for k, v in form.cleaned_data.items() if k != "coordinate_system"}
        complaint = cases.submit(community=community, reporter=user, **values)
        url = site_url(community.site, reverse("complaints:detail", kwargs={"reference": complaint.reference}))
        answer(
            _("Your complaint #%(id)s is filed (reference %(reference)s). Follow it here: %(link)s")
            % {
                "id": complaint.pk,
                "reference": str(complaint.reference)[:8],
                "link": handlers.link(url, _("my complaint")),
            }
        )
    return f"filed {complaint.pk}"


def register():
    from .models import ComplaintSettings

    handlers.register(handle, priority=10)  # after following, before keyword replies and search
    config.register(START_WORDS, _start_words_by_community, models=[ComplaintSettings])
