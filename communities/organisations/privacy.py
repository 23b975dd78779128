"""Erasure: a resident's questions to an organisation, and the answers to them, keep no personal data."""

from portal.accounts import erasure

from .models import Question

erasure.register_text(Question, ["body", "answer"], own="author")
