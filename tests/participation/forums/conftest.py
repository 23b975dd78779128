from tests.participation.forum_fixtures import *  # noqa: F403  (fixtures shared with the other forum test folder)
