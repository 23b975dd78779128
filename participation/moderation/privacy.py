"""Erasure: reports a person filed and what moderators wrote about them keep no personal data."""

from portal.accounts import erasure

from .models import ModerationAction, Report, Suspension

erasure.register_text(Report, ["note"], own="reporter")
erasure.register_text(ModerationAction, ["reason"], own="target_user")
erasure.register_text(Suspension, ["reason"], own="user")
