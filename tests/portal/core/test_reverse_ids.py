"""links.reverse_ids answers what reverse() answers, from a format worked out once."""

import pytest
from django.urls import NoReverseMatch, reverse

from portal.core.links import reverse_ids


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("forums:thread", (7,)),
        ("forums:post", (12, 345)),
        ("forums:like", (987650000000000001,)),  # looks like one of the marks
        ("moderation_act", (3, 40)),
        ("deliberations:topic", (1,)),
    ],
)
def test_reverse_ids_is_reverse(name, ids):
    assert reverse_ids(name, *ids) == reverse(name, args=ids)
    assert reverse_ids(name, *ids) == reverse(name, args=ids)  # from the format


def test_anything_but_ids_goes_to_reverse():
    assert reverse_ids("forums:category", "news") == reverse("forums:category", args=["news"])
    with pytest.raises(NoReverseMatch):
        reverse_ids("forums:thread", -1)
    with pytest.raises(NoReverseMatch):
        reverse_ids("forums:thread", 10**18)
