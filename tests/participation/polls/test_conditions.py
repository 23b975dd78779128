"""What residents see of a poll (issue 19): no internal question keys; a conditional question is hidden
(CSS `:has()`, so without JavaScript too) and not required until its condition is ticked."""

import re

from participation.polls.models import Answer, Response
from participation.polls.questions import conditional_css, questions_of

from .conftest import VALID_ANSWERS, q
from .test_polls import HOST, path

KEYS = ["lift", "why", "times", "priority", "service", "facilities", "ideas"]


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_residents_never_read_internal_question_keys(make_poll, host_client, resident):
    poll = make_poll()
    html = host_client(HOST, resident).get(path(poll)).content.decode()
    text = visible_text(html)
    for key in KEYS:
        assert not re.search(rf"\b{key}\b", text), key
    # the condition names the question it depends on by its number and text
    assert "是否同意加装电梯？" in text.split("不同意的理由", 1)[1] and "1" in text
    assert re.search(r"“是否同意加装电梯？”", text)


def test_the_condition_hides_the_question_until_its_answer_is_ticked(make_poll, host_client, resident):
    html = host_client(HOST, resident).get(path(make_poll())).content.decode()
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "@supports selector(:has(*))" in style
    assert '.poll-form .question[data-question="why"] { display: none; }' in style
    assert '.poll-form:has(input[name="lift"][value="不同意"]:checked) .question[data-question="why"]' in style
    assert 'data-question="why"' in html and 'name="lift" value="不同意"' in html
    # only conditional questions are hidden
    assert style.count("display: none") == 1


def test_a_hidden_question_is_not_required_and_a_shown_one_is(make_poll, host_client, resident, make_user):
    poll = make_poll()
    answers = dict(VALID_ANSWERS)
    assert host_client(HOST, resident).post(path(poll), answers).status_code == 302  # "why" hidden: not needed
    refused = host_client(HOST, make_user("other")).post(path(poll), {**answers, "lift": "不同意"})
    assert refused.status_code == 400 and refused.context["poll_form"].form.errors.get("why")
    assert Response.objects.filter(poll=poll).count() == 1
    assert not Answer.objects.filter(question_key="why").exists()


def test_css_values_cannot_break_out_of_the_style(make_poll):
    questions = questions_of(
        [
            type("Child", (), {"block_type": c["type"], "value": c["value"]})()
            for c in [
                q("single_choice", "a", "甲", choices=['x"</style><script>', "y"]),
                q("short_text", "b", "乙", show_if_key="a", show_if_values='x"</style><script>'),
                q("short_text", "c", "丙", show_if_key="b", show_if_values="whatever"),  # a text answer: no CSS
            ]
        ]
    )
    css = conditional_css(questions)
    assert "</style>" not in css and "<script" not in css and '"x"' not in css
    assert css.count("display: none") == 1
