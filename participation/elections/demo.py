"""Demo elections in 翠园: last term's residents' committee election, counted and announced (one member's
seat left empty for a second round), and this term's election in its voting phase, with candidates and
their statements; the demo resident (王阿姨) is on its voter list and can vote."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from participation.deliberations import ballots
from portal.accounts.models import Building, Home, Membership

from . import phases
from .models import Candidate, Election, Post

VOTERS = [  # username, display name, room, born
    ("demo_liu", "刘师傅", "301", date(1962, 4, 2)),
    ("demo_chen", "陈老师", "402", date(1975, 9, 10)),
    ("demo_zhao", "赵大姐", "501", date(1968, 1, 23)),
    ("demo_sun", "孙大爷", "201", date(1950, 7, 7)),
    ("demo_zhou", "周女士", "202", date(1988, 3, 15)),
    ("demo_wu", "吴先生", "302", date(1980, 11, 30)),
    ("demo_zheng", "郑阿姨", "401", date(1960, 5, 5)),
]


def _voters(community, password):
    building, _ = Building.objects.get_or_create(community=community, name="3号楼", defaults={"units": "1,2"})
    people = {}
    for username, name, room, _born in VOTERS:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"display_name": name})
        if created:
            user.set_password(password)
            user.save()
        home, _ = Home.objects.get_or_create(
            community=community, building=building, unit="2", room=room, defaults={"floor_area": Decimal("80.00")}
        )
        Membership.objects.get_or_create(
            user=user, community=community, defaults={"home": home, "status": Membership.Status.VERIFIED}
        )
        people[username] = user
    # Dates of birth as if read from their ID numbers: only adults whose age is known are on a voter list.
    for username, _name, _room, born in VOTERS:
        Membership.objects.filter(user=people[username], community=community, birth_date=None).update(birth_date=born)
    Membership.objects.filter(
        user__username="resident", community=community, status=Membership.Status.VERIFIED, birth_date=None
    ).update(birth_date=date(1958, 3, 1))
    return people


def _election(community, title, days_ago, voting_days, **fields):
    now = timezone.now()
    start = now - timedelta(days=days_ago)
    return Election.objects.create(
        community=community,
        title=title,
        announcement=(
            "根据《中华人民共和国城市居民委员会组织法》，经社区选举委员会研究，定于下列日期进行换届选举。"
            "年满十八周岁的本社区居民享有选举权和被选举权。"
        ),
        announced_at=start,
        voter_list_from=start + timedelta(days=2),
        nominations_from=start + timedelta(days=5),
        acceptance_from=start + timedelta(days=9),
        candidates_from=start + timedelta(days=12),
        voting_starts=start + timedelta(days=days_ago - 1),
        voting_ends=now + timedelta(days=voting_days),
        cosigners_needed=5,
        **fields,
    )


def _posts(election, seats):
    return {
        name: Post.objects.create(election=election, name=name, seats=n, sort_order=i)
        for i, (name, n) in enumerate(seats)
    }


def _stand(election, post, user, statement):
    return Candidate.objects.create(
        election=election, post=post, person=user, status=Candidate.Status.ACCEPTED, statement=statement
    )


def seed_demo_elections(community, password: str) -> None:
    if Election.objects.filter(community=community).exists():
        return
    p = _voters(community, password)

    # Last term: counted and announced; one member's seat left empty.
    done = _election(community, "翠园社区第十一届居民委员会选举", days_ago=40, voting_days=1)
    posts = _posts(done, [("主任", 1), ("委员", 2)])
    chair = [
        _stand(done, posts["主任"], p["demo_liu"], "做好服务，办实事。"),
        _stand(done, posts["主任"], p["demo_sun"], "多听老人们的意见。"),
    ]
    members = [
        _stand(done, posts["委员"], p["demo_chen"], "负责文体活动。"),
        _stand(done, posts["委员"], p["demo_zhou"], "负责青少年工作。"),
        _stand(done, posts["委员"], p["demo_wu"], "负责环境卫生。"),
    ]
    phases.build_voter_list(done)
    chair_key, members_key = str(posts["主任"].pk), str(posts["委员"].pk)
    marks = [  # (chair, members) per voter
        ([chair[0].key], [members[0].key, members[1].key]),
        ([chair[0].key], [members[0].key, members[2].key]),
        ([chair[1].key], [members[0].key]),
        ([chair[0].key], [members[0].key, members[1].key, members[2].key]),  # three for two seats: invalid for 委员
        ([chair[0].key], ["abstain"]),
        ([], [members[0].key, members[1].key]),
    ]
    for (username, *_rest), (for_chair, for_members) in zip(VOTERS, marks, strict=False):
        ballots.cast_vote(done, p[username], {chair_key: for_chair, members_key: for_members})
    now = timezone.now()
    Election.objects.filter(pk=done.pk).update(
        voting_starts=now - timedelta(days=30), voting_ends=now - timedelta(days=29)
    )
    done.refresh_from_db()
    done = ballots.seal(done)
    phases.announce_results(done)

    # This term: voting open for a month. Seeded after the demo accounts, so 王阿姨 is on the list.
    election = _election(community, "翠园社区第十二届居民委员会选举", days_ago=20, voting_days=30)
    posts = _posts(election, [("主任", 1), ("副主任", 1), ("委员", 3)])
    _stand(election, posts["主任"], p["demo_chen"], "在社区工作八年，熟悉每一栋楼。想把加装电梯和停车改造做完。")
    _stand(election, posts["主任"], p["demo_liu"], "退休电工，哪里坏了叫我。")
    _stand(election, posts["副主任"], p["demo_zhou"], "推动垃圾分类和社区食堂。")
    _stand(election, posts["副主任"], p["demo_zheng"], "二十年楼长，谁家有事都知道。")
    for username, statement in (
        ("demo_wu", "负责物业协调。"),
        ("demo_zhao", "负责老年人服务。"),
        ("demo_sun", "负责治安巡逻。"),
    ):
        _stand(election, posts["委员"], p[username], statement)
    phases.build_voter_list(election)
    ballots.cast_vote(election, p["demo_sun"], {str(posts["主任"].pk): [election.candidates.first().key]})
