"""我的投票与回执: the topics a resident (or their household) voted on, and where to check the receipt."""

from participation.deliberations import ballots
from tests.participation.deliberations.conftest import close_voting


def test_my_votes_lists_my_and_my_households_votes_only(city, make_topic, resident, host_client):
    me = resident(city["a1"], username="me")
    partner = resident(city["a1"], username="partner", home=me.memberships.get().home)
    stranger = resident(city["b1"], username="stranger")
    mine = make_topic(city["a1"], title="加装电梯")
    household = make_topic(city["a1"], title="停车位分配", electorate="household")
    elsewhere = make_topic(city["b1"], title="别人的议题")
    ballots.cast_vote(mine, me, mine.options.first().pk)
    ballots.cast_vote(household, partner, household.options.first().pk)
    ballots.cast_vote(elsewhere, stranger, elsewhere.options.first().pk)

    html = host_client("b1.localhost:8172", me).get("/deliberations/mine/").content.decode()
    assert "加装电梯" in html and "停车位分配" in html and "别人的议题" not in html
    assert f'href="http://a1.localhost:8172/deliberations/{mine.pk}/"' in html
    assert "代表您的家庭" in html
    assert "投票仍在进行" in html and "核验我的回执" not in html


def test_a_closed_vote_links_to_the_receipt_check(city, make_topic, resident, host_client):
    me = resident(city["a1"], username="me")
    topic = make_topic(city["a1"])
    ballots.cast_vote(topic, me, topic.options.first().pk)
    close_voting(topic)
    ballots.seal(topic)
    html = host_client("a1.localhost", me).get("/deliberations/mine/").content.decode()
    assert f'href="/deliberations/{topic.pk}/verify/"' in html and "核验我的回执" in html


def test_no_votes_says_where_to_vote(city, make_user, host_client):
    html = host_client("localhost", make_user("new")).get("/deliberations/mine/").content.decode()
    assert "您还没有投过票" in html
