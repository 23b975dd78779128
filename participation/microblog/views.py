"""The microblog on a community's site, under /microblog/: the community's feed, the street's and the
city's most discussed posts, a page per #话题#, a page per person, and the writes (post, comment, like,
repost, report, delete), each asking the one decision and the one moderation."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from taggit.models import Tag

from communities.regions.scoping import communities_for
from participation.moderation.forms import ReportForm
from participation.moderation.ratelimit import RateLimited, check_rate
from participation.moderation.services import PostingRefused, check_posting
from participation.moderation.services import report as file_report
from portal.accounts.actions import decide, resident_action
from portal.core.links import site_url
from portal.core.sites import community_for_request

from . import services
from .forms import CommentForm, PostForm, RepostForm
from .models import MicroComment, MicroImage, MicroLike, MicroPost
from .services import MicroblogError

PER_PAGE = 20
AFTER_LIMIT = 50
DISCUSSED_LIMIT = 50


def current_community(request):
    community = community_for_request(request)
    if community is None:
        raise Http404(_("The microblog belongs to a community site."))
    return community


def microblog_action(action, **kwargs):
    return resident_action(action, community=lambda request, *args, **kw: current_community(request), **kwargs)


def may_post_as_community(user, community) -> bool:
    """Workers of the community (the one scoping function) post in its name."""
    return (
        community is not None
        and getattr(user, "is_authenticated", False)
        and user.is_staff
        and communities_for(user).filter(pk=community.pk).exists()
    )


def _posting_as_community(request, *args, **kwargs) -> bool:
    return bool(request.POST.get("as_community")) and may_post_as_community(
        request.user, community_for_request(request)
    )


def refused(request, message, status=400):
    return render(request, "microblog/refused.html", {"message": message}, status=status)


def _with_everything(queryset):
    """What a post's card shows, in a fixed number of queries whatever the number of posts."""
    return queryset.select_related(
        "author", "community__site", "repost_of__author", "repost_of__community__site"
    ).prefetch_related(Prefetch("images", queryset=MicroImage.objects.order_by("sort_order", "pk")))


def _before(request) -> int | None:
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def _keyset(request, queryset, per_page=PER_PAGE):
    """One page, newest first, of posts older than ?before=<id>: no OFFSET and no COUNT."""
    before = _before(request)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    items = list(queryset.order_by("-pk")[: per_page + 1])
    more = len(items) > per_page
    items = items[:per_page]
    return items, (items[-1].pk if more else None)


def _decorate(request, posts, here=None):
    """Links (on the post's own site when it is another community's), and what the reader liked."""
    liked = set()
    if request.user.is_authenticated and posts:
        liked = set(
            MicroLike.objects.filter(user=request.user, post__in=[p.pk for p in posts]).values_list(
                "post_id", flat=True
            )
        )
    for post in posts:
        post.link = _link(request, post, here)
        post.speaker = services.speaker(post)
        post.liked = post.pk in liked
        original = post.repost_of
        if original is not None:
            original.link = _link(request, original, here)
            original.speaker = services.speaker(original)
            original.available = original.is_published and original.deleted_at is None
    return posts


def _link(request, post, here):
    path = post.get_absolute_url()
    if here is not None and post.community_id == here.pk:
        return path
    return site_url(post.community.site, path, request)


def _composer(request, community):
    """The post form and, before they write, why the reader may not post (the one decision)."""
    if not request.user.is_authenticated:
        return None, None
    as_community = may_post_as_community(request.user, community)
    refusal = decide(request.user, community, "microblog.post")
    if refusal and not as_community:
        return None, refusal
    return PostForm(may_post_as_community=as_community), None


def feed(request):
    """The community's feed: its pinned posts, then everything newest first."""
    community = current_community(request)
    visible = MicroPost.objects.visible_to(request.user).filter(community=community)
    pinned = list(_with_everything(visible.filter(pinned=True)).order_by("-pk")[:5]) if not _before(request) else []
    posts, older = _keyset(request, _with_everything(visible.filter(pinned=False)))
    form, refusal = _composer(request, community)
    return render(
        request,
        "microblog/feed.html",
        {
            "community": community,
            "pinned": _decorate(request, pinned, community),
            "posts": _decorate(request, posts, community),
            "older": older,
            "first_page": _before(request) is None,
            "latest": max([p.pk for p in posts + pinned], default=0),
            "form": form,
            "refusal": refusal,
        },
    )


def posts_after(request):
    """The community's posts newer than ?after=N as an HTML fragment, for the live script."""
    community = current_community(request)
    raw = request.GET.get("after", "")
    if not raw.isdigit() or len(raw) > 18:
        return refused(request, _("Bad request."))
    posts = list(
        _with_everything(
            MicroPost.objects.public().filter(community=community, pk__gt=int(raw), pinned=False)
        ).order_by("-pk")[:AFTER_LIMIT]
    )
    return render(request, "microblog/_posts.html", {"posts": _decorate(request, posts, community)})


def _discussed(request, communities_filter, title, scope):
    """The most discussed posts of the last days, by the stored score (index `microblog_discussed`)."""
    here = community_for_request(request)
    since = timezone.now() - timedelta(days=getattr(settings, "MICROBLOG_DISCUSSED_DAYS", 7))
    posts = list(
        _with_everything(MicroPost.objects.public().filter(created_at__gte=since, **communities_filter)).order_by(
            "-discussion_score", "-pk"
        )[:DISCUSSED_LIMIT]
    )
    return render(
        request,
        "microblog/discussed.html",
        {"posts": _decorate(request, posts, here), "title": title, "scope": scope, "community": here},
    )


def street_feed(request):
    community = current_community(request)
    return _discussed(
        request,
        {"street_id": community.street_id},  # the posts' copy of their street: index microblog_street_discussed
        _("Most discussed in %(street)s") % {"street": community.street.name},
        "street",
    )


def city_feed(request):
    return _discussed(request, {}, _("Most discussed in the city"), "city")


def tag_page(request, name):
    tag = Tag.objects.filter(name=name).first()
    if tag is None:
        raise Http404
    here = community_for_request(request)
    posts, older = _keyset(request, _with_everything(MicroPost.objects.public().filter(tags=tag)))
    return render(
        request,
        "microblog/tag.html",
        {"tag": tag, "posts": _decorate(request, posts, here), "older": older, "community": here},
    )


def person(request, user_id):
    """A resident's own page: what they posted in their own name, in every community of the city."""
    author = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    here = community_for_request(request)
    visible = MicroPost.objects.visible_to(request.user).filter(author=author, as_community=False)
    posts, older = _keyset(request, _with_everything(visible))
    return render(
        request,
        "microblog/person.html",
        {"author": author, "posts": _decorate(request, posts, here), "older": older, "community": here},
    )


@login_required
def my_page(request):
    """The account menu's 我的微博: the signed-in resident's own page (on any site, the city's too)."""
    return person(request, request.user.pk)


def _get_post(request, community, post_id, **extra):
    return get_object_or_404(
        _with_everything(MicroPost.objects.visible_to(request.user)), pk=post_id, community=community, **extra
    )


def post_detail(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    comments = (
        MicroComment.objects.filter(post=post, deleted_at__isnull=True).select_related("author").order_by("pk")[:500]
    )
    comments = [c for c in comments if c.is_visible_to(request.user)]
    refusal = decide(request.user, community, "microblog.comment") if request.user.is_authenticated else None
    return render(
        request,
        "microblog/post.html",
        {
            "community": community,
            "post": _decorate(request, [post], community)[0],
            "comments": comments,
            "form": CommentForm(),
            "comment_refusal": refusal,
            "may_delete": _may_delete(request.user, post, community),
        },
    )


def _may_delete(user, post, community) -> bool:
    if not user.is_authenticated:
        return False
    if post.as_community:
        return may_post_as_community(user, community)
    return post.author_id == user.pk


def _publish(request, community, form, *, repost_of=None):
    """The one moderation for a new post; returns the post or adds the refusal to the form."""
    data = form.cleaned_data
    as_community = bool(data.get("as_community")) and may_post_as_community(request.user, community)
    images = data.get("images") or []
    try:
        decision = check_posting(
            request,
            community,
            data.get("text", ""),
            # Workers posting in the community's name are not new accounts.
            prior_posts=100 if as_community else services.prior_posts(request.user, community),
            has_image=bool(images),
        )
        post = services.create_post(
            community=community,
            author=request.user,
            text=data.get("text", ""),
            images=images,
            state=decision.state,
            as_community=as_community,
            repost_of=repost_of,
        )
    except (PostingRefused, MicroblogError) as exc:
        form.add_error(None, str(exc))
        return None
    if decision.pending:
        messages.info(request, _("Your post will be shown once a moderator has approved it."))
    return post


@login_required
@microblog_action("microblog.post", methods=("GET", "POST"), when=lambda request: not _posting_as_community(request))
def new_post(request):
    community = current_community(request)
    posted = request.method == "POST"
    form = PostForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        may_post_as_community=may_post_as_community(request.user, community),
    )
    if request.method == "POST" and form.is_valid():
        post = _publish(request, community, form)
        if post is not None:
            return redirect("microblog:feed")
    status = 400 if request.method == "POST" else 200
    return render(request, "microblog/new.html", {"community": community, "form": form}, status=status)


@login_required
@microblog_action(
    "microblog.post", methods=("GET", "POST"), when=lambda request, post_id: not _posting_as_community(request)
)
def repost(request, post_id):
    """Repost any published post of the city into this community's feed, the original attributed."""
    community = current_community(request)
    original = get_object_or_404(_with_everything(MicroPost.objects.public()), pk=post_id)
    form = RepostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["as_community"] = _posting_as_community(request)
        post = _publish(request, community, form, repost_of=original)
        if post is not None:
            return redirect("microblog:feed")
    status = 400 if request.method == "POST" else 200
    original = _decorate(request, [original], community)[0]
    return render(
        request,
        "microblog/repost.html",
        {
            "community": community,
            "original": original,
            "form": form,
            "may_post_as_community": may_post_as_community(request.user, community),
        },
        status=status,
    )


@login_required
@require_POST
@microblog_action("microblog.comment")
def comment(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            services.check_can_comment(post)
            decision = check_posting(
                request, community, text, prior_posts=services.prior_posts(request.user, community)
            )
            made = services.create_comment(
                post=post, author=request.user, text=text, state=decision.state, community=community
            )
        except (PostingRefused, MicroblogError) as exc:
            form.add_error(None, str(exc))
        else:
            if decision.pending:
                messages.info(request, _("Your comment will be shown once a moderator has approved it."))
            return redirect(made.get_absolute_url())
    return render(request, "microblog/comment.html", {"post": post, "form": form}, status=400)


@login_required
@require_POST
@microblog_action("microblog.like")
def like(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    try:
        check_rate(request, "like")
        if request.POST.get("action") == "unlike":
            services.unlike(post, request.user)
        else:
            services.like(post, request.user)
    except RateLimited as exc:
        return refused(request, str(exc), status=429)
    except MicroblogError as exc:
        return refused(request, str(exc))
    return redirect(post.get_absolute_url())


def _report(request, community, obj, back):
    if not obj.is_visible_to(request.user):
        return refused(request, _("This was removed."))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_rate(request, "report")
        except RateLimited as exc:
            return refused(request, str(exc), status=429)
        made = file_report(obj, request.user, form.cleaned_data["reason"], form.cleaned_data["note"])
        messages.success(
            request, _("Thank you. A moderator will look at it.") if made else _("You have already reported this.")
        )
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(request, "microblog/report.html", {"obj": obj, "form": form, "back": back}, status=status)


@login_required
@microblog_action("microblog.report", methods=("GET", "POST"))
def report_post(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    return _report(request, community, post, post.get_absolute_url())


@login_required
@microblog_action("microblog.report", methods=("GET", "POST"))
def report_comment(request, comment_id):
    community = current_community(request)
    comment = get_object_or_404(
        MicroComment.objects.select_related("post", "author"), pk=comment_id, community=community
    )
    return _report(request, community, comment, comment.get_absolute_url())


@login_required
@require_POST
def delete_post(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    if not _may_delete(request.user, post, community):
        return refused(request, _("You can only delete your own posts."), status=403)
    try:
        services.delete_post(post, request.user)
    except MicroblogError as exc:
        return refused(request, str(exc))
    messages.success(request, _("The post was deleted."))
    return redirect("microblog:feed")


@login_required
@require_POST
def delete_comment(request, comment_id):
    community = current_community(request)
    comment = get_object_or_404(MicroComment.objects.select_related("post"), pk=comment_id, community=community)
    if comment.author_id != request.user.pk:
        return refused(request, _("You can only delete your own comments."), status=403)
    try:
        services.delete_comment(comment)
    except MicroblogError as exc:
        return refused(request, str(exc))
    messages.success(request, _("Your comment was deleted."))
    return redirect(comment.post.get_absolute_url())
