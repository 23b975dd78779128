import csv
import io
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from participation.polls.blocks import QuestionsBlock
from participation.polls.models import Answer, Participation, PollPage, Response

from .conftest import QUESTIONS, VALID_ANSWERS, q

HOST = "a1.localhost"


def path(poll, suffix=""):
    return poll.url_path[len(poll.get_site().root_page.url_path) - 1 :] + suffix


def test_every_kind_of_question_is_shown(make_poll, host_client):
    poll = make_poll(audience=PollPage.Audience.ANYONE)
    body = host_client(HOST).get(path(poll)).content.decode()
    for text in ["是否同意加装电梯", "请排序改造优先级", "对社区服务的满意度", "健身器材", "其他建议", "很满意"]:
        assert text in body
    assert 'name="priority__2"' in body and 'name="facilities__1"' in body


def test_answers_are_stored_and_counted(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    response = client.post(path(poll), VALID_ANSWERS)
    assert response.status_code == 302
    stored = {a.question_key: a.value for a in Answer.objects.filter(response__poll=poll)}
    assert stored["lift"] == "同意"
    assert stored["times"] == ["周一晚", "周六上午"]
    assert stored["priority"] == ["绿化", "停车", "照明"]
    assert stored["service"] == 4
    assert stored["facilities"] == {"健身器材": "好", "垃圾站": "差"}
    assert "why" not in stored  # its condition was not met
    assert Response.objects.get(poll=poll).respondent == resident

    results = client.get(path(poll, "results/")).content.decode()
    assert "1 response" in results or "1 份" in results or ">1<" in results
    assert "<td>1</td>" in results


def test_second_response_is_refused(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    client.post(path(poll), VALID_ANSWERS)
    second = client.post(path(poll), {**VALID_ANSWERS, "lift": "不同意", "why": "太吵"}, follow=True)
    assert Response.objects.filter(poll=poll).count() == 1
    assert Answer.objects.get(response__poll=poll, question_key="lift").value == "同意"
    assert "already answered" in second.content.decode() or "已经" in second.content.decode()


@pytest.mark.parametrize(
    "changes, error_field",
    [
        ({"lift": ""}, "lift"),
        ({"lift": "也许"}, "lift"),  # not one of the choices
        ({"times": []}, "times"),
        ({"times": ["周一晚", "周三晚", "周六上午"]}, "times"),
        ({"priority__1": "2"}, "priority__0"),  # two choices in second place
        ({"priority__0": "x"}, "priority__0"),
        ({"service": "9"}, "service"),
        ({"facilities__1": ""}, "facilities__0"),
        ({"lift": "不同意", "why": ""}, "why"),  # shown by its condition, so required
        ({"lift": "不同意", "why": "太" * 51}, "why"),
    ],
)
def test_bad_answers_get_clear_errors_and_keep_input(make_poll, host_client, resident, changes, error_field):
    poll = make_poll()
    data = {**VALID_ANSWERS, **changes}
    response = host_client(HOST, resident).post(path(poll), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body
    assert response.context["poll_form"].form.errors.get(error_field)
    assert "希望增加长椅" in body  # what the resident typed is kept
    assert not Response.objects.filter(poll=poll).exists()


def test_condition_drops_answers_to_hidden_questions(make_poll, host_client, resident):
    poll = make_poll()
    host_client(HOST, resident).post(path(poll), {**VALID_ANSWERS, "why": "这条不该保存"})
    assert not Answer.objects.filter(response__poll=poll, question_key="why").exists()


def test_logged_in_audience_refuses_visitors(make_poll, host_client):
    poll = make_poll(audience=PollPage.Audience.LOGGED_IN)
    client = host_client(HOST)
    page = client.get(path(poll)).content.decode()
    assert "Log in to answer" in page or "登录" in page
    client.post(path(poll), VALID_ANSWERS)
    assert not Response.objects.exists()


def test_anyone_audience_one_response_per_visitor(make_poll, host_client):
    poll = make_poll(audience=PollPage.Audience.ANYONE)
    client = host_client(HOST)
    first = client.post(path(poll), VALID_ANSWERS)
    assert first.status_code == 302 and "poll_visitor" in first.cookies
    client.post(path(poll), VALID_ANSWERS)
    assert Response.objects.filter(poll=poll).count() == 1
    host_client(HOST).post(path(poll), VALID_ANSWERS)  # another visitor
    assert Response.objects.filter(poll=poll).count() == 2


def test_forged_visitor_cookie_is_ignored(make_poll, host_client):
    poll = make_poll(audience=PollPage.Audience.ANYONE)
    client = host_client(HOST)
    client.cookies["poll_visitor"] = "forged-token"
    assert client.post(path(poll), VALID_ANSWERS).status_code == 302
    assert Participation.objects.get(poll=poll).visitor not in ("", "forged-token")


def test_anonymous_poll_keeps_no_link_to_the_person(make_poll, host_client, resident):
    poll = make_poll(anonymous=True)
    host_client(HOST, resident).post(path(poll), VALID_ANSWERS)
    response = Response.objects.get(poll=poll)
    assert response.respondent is None
    assert Participation.objects.get(poll=poll).user == resident
    assert not hasattr(response, "submitted_at")


@pytest.mark.parametrize("opens, closes", [(-3, -1), (1, 3)])
def test_votes_outside_the_open_period_are_refused(make_poll, host_client, resident, opens, closes):
    now = timezone.now()
    poll = make_poll(opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes))
    response = host_client(HOST, resident).post(path(poll), VALID_ANSWERS, follow=True)
    assert response.status_code == 200
    assert not Response.objects.exists()


def test_results_hidden_until_close_except_for_staff(make_poll, host_client, resident, make_user, city):
    poll = make_poll(results_visibility=PollPage.ResultsVisibility.AFTER_CLOSE)
    assert host_client(HOST, resident).get(path(poll, "results/")).status_code == 403
    editor = make_user(is_staff=True)
    editor.groups.add(city["a1"].editors_group)
    assert host_client(HOST, editor).get(path(poll, "results/")).status_code == 200
    PollPage.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert host_client(HOST, resident).get(path(poll, "results/")).status_code == 200


def test_staff_only_results(make_poll, host_client, resident, make_user, city):
    poll = make_poll(results_visibility=PollPage.ResultsVisibility.STAFF)
    PollPage.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert host_client(HOST, resident).get(path(poll, "results/")).status_code == 403
    other_editor = make_user(is_staff=True)
    other_editor.groups.add(city["b1"].editors_group)
    assert host_client(HOST, other_editor).get(path(poll, "results/")).status_code == 403


def test_free_text_is_published_only_after_moderation(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    client.post(path(poll), VALID_ANSWERS)
    results = client.get(path(poll, "results/")).content.decode()
    assert "希望增加长椅" not in results
    Answer.objects.filter(question_key="ideas").update(text_status=Answer.TextStatus.APPROVED)
    assert "希望增加长椅" in client.get(path(poll, "results/")).content.decode()


def test_csv_export_for_staff_with_bom(make_poll, host_client, resident, make_user, city):
    poll = make_poll()
    host_client(HOST, resident).post(path(poll), VALID_ANSWERS)
    assert host_client(HOST, resident).get(path(poll, "export/")).status_code == 403
    editor = make_user(is_staff=True)
    editor.groups.add(city["a1"].editors_group)
    response = host_client(HOST, editor).get(path(poll, "export/"))
    assert response.status_code == 200
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][3:] == [item["value"]["text"] for item in QUESTIONS]
    assert rows[1][2] == "李大爷"
    assert rows[1][3] == "同意" and rows[1][6] == "绿化; 停车; 照明"


def test_moderator_sees_only_own_communitys_free_text(make_poll, host_client, make_user, city):
    a_poll, b_poll = make_poll("a1"), make_poll("b1")
    for poll, host in ((a_poll, "a1.localhost"), (b_poll, "b1.localhost")):
        voter = make_user()
        host_client(host, voter).post(path(poll), {**VALID_ANSWERS, "ideas": f"建议来自{host}"})
    moderator = make_user(is_staff=True)
    moderator.groups.add(city["a1"].moderators_group)
    client = host_client("localhost", moderator)
    listing = client.get("/admin/poll-free-text/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "建议来自a1.localhost" in body and "建议来自b1.localhost" not in body
    theirs = Answer.objects.get(value="建议来自b1.localhost")
    client.post(f"/admin/poll-free-text/edit/{theirs.pk}/", {"text_status": "approved"})
    theirs.refresh_from_db()
    assert theirs.text_status == Answer.TextStatus.PENDING
    ours = Answer.objects.get(value="建议来自a1.localhost")
    assert client.post(f"/admin/poll-free-text/edit/{ours.pk}/", {"text_status": "approved"}).status_code == 302
    ours.refresh_from_db()
    assert ours.text_status == Answer.TextStatus.APPROVED


def test_question_definitions_are_validated():
    block = QuestionsBlock()
    duplicate = block.to_python([q("short_text", "a", "一", max_length=10), q("short_text", "a", "二", max_length=10)])
    with pytest.raises(ValidationError):
        block.clean(duplicate)
    forward = block.to_python(
        [
            q("short_text", "a", "一", max_length=10, show_if_key="b", show_if_values="x"),
            q("short_text", "b", "二", max_length=10),
        ]
    )
    with pytest.raises(ValidationError):
        block.clean(forward)


@pytest.mark.postgres_only
@pytest.mark.connections(20)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_by_one_person_store_one(city, make_poll, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every write, so there is no race to test")
    from django.db import connections
    from django.test import Client

    poll = make_poll()
    resident = make_user()
    barrier = threading.Barrier(20)
    statuses = []

    def submit():
        try:
            client = Client(HTTP_HOST=HOST)
            client.force_login(resident)
            barrier.wait(timeout=60)
            statuses.append(client.post(path(poll), VALID_ANSWERS).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Response.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1
    assert len(statuses) == 20 and all(s in (302, 200) for s in statuses), statuses


def test_verified_audience_needs_a_verified_membership_of_this_community(make_poll, host_client, make_user, city):
    from portal.accounts.membership import apply_for_membership
    from portal.accounts.models import Building, Membership

    poll = make_poll(audience=PollPage.Audience.VERIFIED)
    building = Building.objects.create(community=city["a1"], name="1号楼")
    pending, verified, elsewhere = make_user(), make_user(), make_user()
    apply_for_membership(pending, city["a1"], building, "", "101")
    membership = apply_for_membership(verified, city["a1"], building, "", "102")
    membership.status = Membership.Status.VERIFIED
    membership.save()
    other = apply_for_membership(
        elsewhere, city["b1"], Building.objects.create(community=city["b1"], name="1号楼"), "", "101"
    )
    other.status = Membership.Status.VERIFIED
    other.save()

    for user in (pending, elsewhere):
        host_client(HOST, user).post(path(poll), VALID_ANSWERS)
    assert not Response.objects.filter(poll=poll).exists()
    assert host_client(HOST, verified).post(path(poll), VALID_ANSWERS).status_code == 302
    assert Response.objects.filter(poll=poll).count() == 1


def _answer_queries(client, poll) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    url = path(poll)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, VALID_ANSWERS)
    assert response.status_code == 302
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]


# Routing (the poll by its URL path, read from the poll table at once: the site map knows the poll index, which
# allows only polls, so it is not read: 6 before session 12, when it was the index, the page and then its type;
# 5 before session 14) and the save: the roll entry, the response, its answers (one bulk insert). A visitor without the
# answered-cookie needs no "answered already?" query; the community comes from the site map, not a query.
ANONYMOUS_ANSWER = 4
# A resident also costs the session, the user, the guard's one decision (suspensions, the community's rule)
# and whether they answered already.
RESIDENT_ANSWER = ANONYMOUS_ANSWER + 5


def test_an_answer_costs_a_fixed_number_of_queries_whatever_the_answers_and_communities(
    make_poll, host_client, make_user
):
    from tests.communities.test_query_counts import grow_city_to

    anyone = make_poll(audience=PollPage.Audience.ANYONE)
    residents = make_poll(audience=PollPage.Audience.LOGGED_IN)
    for poll in (anyone, residents):
        host_client(HOST).get(path(poll))  # warms this process's site map
    counts = []
    for _round in range(2):
        counts.append(len(_answer_queries(host_client(HOST), anyone)))
        counts.append(len(_answer_queries(host_client(HOST, make_user()), residents)) - 5)
        for _ in range(5):
            host_client(HOST).post(path(anyone), VALID_ANSWERS)
        grow_city_to(8)
        host_client(HOST).get(path(anyone))
    anonymous = _answer_queries(host_client(HOST), anyone)
    assert len(anonymous) == ANONYMOUS_ANSWER, "\n".join(anonymous)
    assert not any("regions_community" in sql for sql in anonymous), "\n".join(anonymous)
    resident = _answer_queries(host_client(HOST, make_user()), residents)
    assert len(resident) == RESIDENT_ANSWER, "\n".join(resident)
    assert counts == [ANONYMOUS_ANSWER] * 4
