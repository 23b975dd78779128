from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from portal.accounts.models import Building

from .models import (
    Comment,
    CoSignature,
    ImplementationUpdate,
    Option,
    Proposal,
    ScheduleChange,
    Topic,
    TopicBuilding,
    TopicDocument,
)


@receiver(post_save, sender=ImplementationUpdate)
def implementation_update_posted(sender, instance, created, raw=False, **kwargs):
    """A new progress update (however it was saved): participants are told by a task, after the commit."""
    if created and not raw:
        from .tasks import notify_update

        transaction.on_commit(lambda: notify_update.enqueue(instance.pk))


# The topic page is rendered once per `Topic.sitewide_key`: whatever changes a row it shows beside the topic's
# own moves the topic's page_version, in the change's transaction.


def move_page_version(topics) -> None:
    topics.update(page_version=F("page_version") + 1)


@receiver(post_save, sender=Option)
@receiver(post_delete, sender=Option)
@receiver(post_save, sender=TopicDocument)
@receiver(post_delete, sender=TopicDocument)
@receiver(post_save, sender=TopicBuilding)
@receiver(post_delete, sender=TopicBuilding)
@receiver(post_save, sender=ImplementationUpdate)
@receiver(post_delete, sender=ImplementationUpdate)
@receiver(post_save, sender=ScheduleChange)
@receiver(post_delete, sender=ScheduleChange)
@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
@receiver(post_save, sender=Proposal)
@receiver(post_delete, sender=Proposal)
def topic_page_changed(sender, instance, **kwargs):
    if instance.topic_id is not None:
        move_page_version(Topic.objects.filter(pk=instance.topic_id))


@receiver(post_save, sender=CoSignature)
@receiver(post_delete, sender=CoSignature)
def cosignatures_changed(sender, instance, **kwargs):
    """The page of a topic opened from a proposal shows its number of co-signers."""
    move_page_version(Topic.objects.filter(proposal__pk=instance.proposal_id))


PUBLIC_NAME_FIELDS = {"display_name", "username", "deleted_at"}


@receiver(post_save, sender=get_user_model())
def author_renamed(sender, instance, created, update_fields=None, **kwargs):
    """The page shows its commenters' and its proposer's public names. (A login saves only last_login.)"""
    if created or (update_fields is not None and not PUBLIC_NAME_FIELDS & set(update_fields)):
        return
    move_page_version(Topic.objects.filter(Q(comments__author=instance) | Q(proposal__proposer=instance)))


# Wagtail stores a file's size and hash the first time it reads them (while a page is rendered): no change.
FILE_FACTS = {"file_size", "file_hash"}


def _changed(created, update_fields) -> bool:
    return not created and not (update_fields is not None and set(update_fields) <= FILE_FACTS)


@receiver(post_save, sender=get_document_model())
def document_changed(sender, instance, created, update_fields=None, **kwargs):
    """A document's title, file and size show on the pages of the topics it belongs to (a deleted one takes its
    TopicDocument rows with it)."""
    if _changed(created, update_fields):
        move_page_version(Topic.objects.filter(documents__document=instance))


@receiver(post_save, sender=Building)
def building_renamed(sender, instance, created, **kwargs):
    if not created:
        move_page_version(Topic.objects.filter(voting_buildings__building=instance))


@receiver(post_save, sender=get_image_model())
@receiver(post_delete, sender=get_image_model())
def image_changed(sender, instance, created=False, update_fields=None, **kwargs):
    """An update's photos are images in a StreamField, which no query finds by image: an image edited or deleted
    (rarely) moves every topic with updates."""
    if _changed(created, update_fields):
        move_page_version(Topic.objects.filter(updates__isnull=False))
