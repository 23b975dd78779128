"""Deliberation topics (阳光议事) and residents' proposals waiting for co-signatures: both public."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.search import registry
from portal.search.registry import Document, Indexer

from .models import Option, Proposal, Topic


class TopicIndexer(Indexer):
    kind = "deliberation"
    label = _("Deliberation")
    model = Topic
    watch = {Option: lambda option: [option.topic_id]}

    def document(self, topic):
        options = " ".join(o.label for o in topic.options.all())
        return Document(
            title=topic.title,
            text="\n".join(t for t in (topic.description, options, topic.outcome) if t),
            community_id=topic.community_id,
            date=topic.created_at,
            path=reverse("deliberations:topic", args=[topic.pk]),
            public=True,
            admin_path=self.admin_path(topic),
        )


class ProposalIndexer(Indexer):
    """A proposal is listed while it gathers support; once opened as a topic, the topic stands for it."""

    kind = "proposal"
    label = _("Residents' proposal")
    model = Proposal

    def document(self, proposal):
        return Document(
            title=proposal.title,
            text=proposal.description,
            community_id=proposal.community_id,
            date=proposal.created_at,
            path=reverse("deliberations:proposal", args=[proposal.pk]),
            public=proposal.topic_id is None,
            admin_path=self.admin_path(proposal),
        )


registry.register(TopicIndexer())
registry.register(ProposalIndexer())
