from tests.participation.forum_fixtures import *  # noqa: F403  (generous rate limits, members of every community)
