"""Tests of what residents do run with residents: users made with a verified membership."""

from portal.accounts.models import Membership


def members_of(make_user, *communities):
    """A `make_user` whose users are verified members of `communities`. Who may act where without one is
    tested in tests/portal/accounts/test_resident_actions.py."""

    def make(*args, **kwargs):
        user = make_user(*args, **kwargs)
        Membership.objects.bulk_create(
            Membership(user=user, community=community, status=Membership.Status.VERIFIED) for community in communities
        )
        return user

    return make
