"""The forum on a community's site, under /forum/. The community comes from the request's Site."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.validators import slug_unicode_re
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.content.markdown import mask_personal_data
from participation.content.uploads import store_image
from participation.moderation.forms import ReportForm
from participation.moderation.ratelimit import RateLimited, check_rate
from participation.moderation.services import PostingRefused, check_posting, may_moderate
from participation.moderation.services import report as file_report
from portal.accounts.actions import decide, resident_action
from portal.core import page_cache, sites
from portal.core.admin_scoping import Scoped, community_scoped_view
from portal.core.links import site_url
from portal.core.pagination import paginate
from portal.core.statements import Statement

from . import services
from .forms import ReplyForm, ThreadForm
from .models import POSTS_PER_PAGE, ForumCategory, Post, PostLike, Thread
from .services import ForumError

AFTER_LIMIT = 50
User = get_user_model()


def current_community(request):
    """The community whose site serves this request (404 on the city site), from the site map."""
    community = sites.community_for_request(request)
    if community is None:
        raise Http404(_("The forum belongs to a community site."))
    return community


def forum_action(action, **kwargs):
    """The one decision (portal.accounts.actions), with the forum's memoised community of the site."""
    return resident_action(action, community=lambda request, *args, **kw: current_community(request), **kwargs)


def refused(request, message, status=400):
    return render(request, "forums/refused.html", {"message": message}, status=status)


def _visible_threads(request, community):
    return Thread.objects.visible_to(request.user).filter(community=community)


_THREAD_FIELDS = tuple(field.attname for field in Thread._meta.concrete_fields)
_CATEGORY_FIELDS = tuple(field.attname for field in ForumCategory._meta.concrete_fields)


def _thread_and_category(thread, community):
    category = (f"category__{name}" for name in _CATEGORY_FIELDS)
    return Thread.objects.filter(pk=thread, community_id=community).values_list(*_THREAD_FIELDS, *category)


_thread_row = Statement(_thread_and_category)  # every page of every thread: compiled once


def _get_thread(request, community, thread_id):
    """A thread of this community the reader may see (`Thread.is_visible_to`), with its category: by its key,
    without building `visible_to`'s condition into the query."""
    rows = _thread_row(thread=thread_id, community=community.pk)
    if not rows:
        raise Http404
    split = len(_THREAD_FIELDS)
    thread = Thread.from_db(DEFAULT_DB_ALIAS, _THREAD_FIELDS, rows[0][:split])
    Thread.category.field.set_cached_value(
        thread, ForumCategory.from_db(DEFAULT_DB_ALIAS, _CATEGORY_FIELDS, rows[0][split:])
    )
    if not thread.is_visible_to(request.user):
        raise Http404
    return thread


def _get_post(request, community, post_id):
    return get_object_or_404(Post.objects.select_related("thread", "author"), pk=post_id, community=community)


def thread_list(request, category=None):
    community = current_community(request)
    threads = _visible_threads(request, community).select_related("category", "author")
    if category is not None:
        threads = threads.filter(category=category)
    page = paginate(request, threads.order_by("-pinned", "-last_post_at", "-pk"))
    return render(
        request,
        "forums/index.html",
        {
            "community": community,
            "categories": ForumCategory.objects.filter(community=community),
            "category": category,
            "threads": page,
            "unread": services.unread_thread_ids(page.object_list, request.user),
        },
    )


def index(request):
    return thread_list(request)


def category(request, slug):
    community = current_community(request)
    return thread_list(request, get_object_or_404(ForumCategory, community=community, slug=slug))


def _cached_page(request, community, thread_id):
    """Anonymous readers share cached pages keyed by the thread's version (one light query, one cache
    round trip). Returns (pending, hit): pass `pending` to `_store` after rendering on a miss."""
    if not settings.FORUM_PAGE_CACHE_SECONDS or not page_cache.is_cacheable_request(request):
        return None, None
    version = _visible_threads(request, community).filter(pk=thread_id).values_list("version", flat=True).first()
    if version is None:
        raise Http404
    key = f"{page_cache.cache_key(request, community.site_id)}:forum:{thread_id}:{version}"
    values = cache.get_many([page_cache.generation_key(community.site_id), page_cache.ALL_KEY, key])
    generations = page_cache.generations_of(values, community.site_id)
    return (key, generations), page_cache.response_from(values.get(key), generations)


def _store(request, pending, response):
    if pending:
        key, generations = pending
        page_cache.store(request, key, generations, response, settings.FORUM_PAGE_CACHE_SECONDS)
    return response


def _page_number(request, thread) -> int:
    raw = request.GET.get("page", "1")
    if raw == "last":
        return thread.num_pages
    try:
        return min(max(int(raw), 1), thread.num_pages)
    except ValueError:
        return 1


# What forums/_post.html shows of a post, its author and the post it answers (`Post.sitewide_key`): not the
# Markdown source, nor the rest of the authors' rows (phone, password hash, ...).
_AUTHOR = ("username", "display_name", "deleted_at")
SHOWN_FIELDS = (
    *("thread", "number", "body_html", "like_count", "moderation_state", "created_at", "edited_at", "deleted_at"),
    *("author", *(f"author__{name}" for name in _AUTHOR)),
    *("reply_to", "reply_to__number", "reply_to__author", *(f"reply_to__author__{name}" for name in _AUTHOR)),
)


def _shown_posts(thread):
    return Post.objects.filter(thread=thread).select_related("author", "reply_to__author").only(*SHOWN_FIELDS)


def _model_order(model, names) -> tuple:
    """`names` in the order of the model's columns: the order `Model.from_db` reads a row's values in."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# The same fields as columns, for the page of a thread (compiled once: the ORM took ten times longer to build
# and compile the query above than the database to answer it, on every page of every thread).
_POST_COLUMNS = _model_order(
    Post,
    {"id", "thread_id", "number", "body_html", "like_count", "moderation_state", "created_at", "edited_at"}
    | {"deleted_at", "author_id", "reply_to_id"},
)
_AUTHOR_COLUMNS = _model_order(User, {"id", *_AUTHOR})
_REPLY_COLUMNS = _model_order(Post, {"id", "number", "author_id"})


def _posts_in_range(thread, first, last):
    posts = Post.objects.filter(thread_id=thread, number__gte=first, number__lte=last).order_by("number")
    author = (f"author__{name}" for name in _AUTHOR_COLUMNS)
    reply_to = (f"reply_to__{name}" for name in _REPLY_COLUMNS)
    reply_author = (f"reply_to__author__{name}" for name in _AUTHOR_COLUMNS)
    return posts.values_list(*_POST_COLUMNS, *author, *reply_to, *reply_author)


_page_of_posts = Statement(_posts_in_range)


def _posts_numbered(thread, first, last) -> list:
    """`_shown_posts(thread)` numbered `first` to `last`, as the queryset gives them, from the compiled statement."""
    a, b = len(_POST_COLUMNS), len(_POST_COLUMNS) + len(_AUTHOR_COLUMNS)
    c = b + len(_REPLY_COLUMNS)
    posts = []
    for row in _page_of_posts(thread=thread.pk, first=first, last=last):
        post = Post.from_db(DEFAULT_DB_ALIAS, _POST_COLUMNS, row[:a])
        Post.author.field.set_cached_value(post, User.from_db(DEFAULT_DB_ALIAS, _AUTHOR_COLUMNS, row[a:b]))
        if post.reply_to_id is not None:
            reply_to = Post.from_db(DEFAULT_DB_ALIAS, _REPLY_COLUMNS, row[b:c])
            author = User.from_db(DEFAULT_DB_ALIAS, _AUTHOR_COLUMNS, row[c:])
            Post.author.field.set_cached_value(reply_to, author)
            Post.reply_to.field.set_cached_value(post, reply_to)
        posts.append(post)
    return posts


def _for_reader(posts, user, liked=frozenset()):
    """What forums/_post.html shows this reader of each post, as flags on it (part of `Post.sitewide_key`):
    whether they see it, liked it, wrote it."""
    for post in posts:
        post.visible = post.is_visible_to(user)
        post.liked = post.pk in liked
        post.mine = user.is_authenticated and post.author_id == user.pk
    return posts


def _liked(user, posts) -> set:
    """Which of these posts `user` liked: asked only of posts someone liked (most have no like at all)."""
    ids = [post.pk for post in posts if post.like_count]
    if not ids:
        return set()
    return set(PostLike.objects.filter(user=user, post__in=ids).values_list("post_id", flat=True))


def _quote_initial(thread, number, user) -> dict:
    quoted = Post.objects.filter(thread=thread, number=number).select_related("author").first()
    if quoted is None or not quoted.is_visible_to(user):
        return {}
    # The quoter sees the text as published: personal data masked.
    lines = "\n".join("> " + line for line in mask_personal_data(quoted.body, mask="\\*").splitlines())
    return {"quote": number, "body": f"> @{quoted.author.username} (#{number}):\n{lines}\n\n"}


def thread_detail(request, thread_id):
    """One page of a thread: a range query on post numbers, so its cost does not grow with the thread."""
    community = current_community(request)
    key, hit = _cached_page(request, community, thread_id)
    if hit is None:
        thread = _get_thread(request, community, thread_id)
    services.count_view(thread_id)
    if hit is not None:
        return hit
    page = _page_number(request, thread)
    first, last = (page - 1) * POSTS_PER_PAGE + 1, page * POSTS_PER_PAGE
    posts = _posts_numbered(thread, first, last)
    liked = set()
    if request.user.is_authenticated and posts:
        liked = _liked(request.user, posts)
        services.mark_read(thread, request.user, posts[-1].number)
    _for_reader(posts, request.user, liked)
    initial = {"reply_to": request.GET.get("reply_to")} if request.GET.get("reply_to", "").isdigit() else {}
    if request.GET.get("quote", "").isdigit():
        initial.update(_quote_initial(thread, int(request.GET["quote"]), request.user))
    response = render(
        request,
        "forums/thread.html",
        {
            "community": community,
            "thread": thread,
            "posts": posts,
            "page": page,
            "pages": range(1, thread.num_pages + 1) if thread.num_pages <= 10 else None,
            "last_number": posts[-1].number if posts else 0,
            "is_last_page": page == thread.num_pages,
            "form": ReplyForm(initial=initial),
            # Say before they write it why a reply would be refused (the one decision), not after.
            "reply_refusal": decide(request.user, community, "forum.post") if request.user.is_authenticated else None,
            "can_moderate": may_moderate(request.user, community),
            "thread_type_id": ContentType.objects.get_for_model(Thread).pk,
            "post_type_id": ContentType.objects.get_for_model(Post).pk,
        },
    )
    return _store(request, key, response)


def post_permalink(request, thread_id, number):
    community = current_community(request)
    thread = _get_thread(request, community, thread_id)
    if not 1 <= number <= thread.last_number:
        raise Http404
    page = (number - 1) // POSTS_PER_PAGE + 1
    return redirect(f"{thread.get_absolute_url()}?page={page}#p{number}")


@login_required
def jump_unread(request, thread_id):
    community = current_community(request)
    thread = _get_thread(request, community, thread_id)
    number = services.first_unread_number(thread, request.user) or thread.last_number
    return post_permalink(request, thread.pk, max(number, 1))


def posts_after(request, thread_id):
    """The posts after ?after=N as an HTML fragment, for the live script."""
    community = current_community(request)
    key, hit = _cached_page(request, community, thread_id)
    if hit is not None:
        return hit
    thread = _get_thread(request, community, thread_id)
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        return refused(request, _("Bad request."))
    posts = _for_reader(
        list(_shown_posts(thread).filter(number__gt=after).order_by("number")[:AFTER_LIMIT]),
        request.user,
    )
    return _store(request, key, render(request, "forums/_posts.html", {"thread": thread, "posts": posts}))


def _with_image(body, image):
    if image is None:
        return body
    stored = store_image(image, folder="forum")
    return f"{body}\n\n![]({stored.url})"


@login_required
@forum_action("forum.post", methods=("GET", "POST"))
def new_thread(request):
    community = current_community(request)
    slug = request.GET.get("category", "")
    categories = ForumCategory.objects.filter(community=community, slug=slug)
    initial = {"category": categories.first() if slug_unicode_re.match(slug) else None}
    form = ThreadForm(request.POST or None, request.FILES or None, community=community, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = check_posting(
                request,
                community,
                f"{data['title']}\n{data['body']}",
                prior_posts=services.prior_posts(request.user, community),
                has_image=data["image"] is not None,
            )
            thread = services.create_thread(
                community=community,
                category=data["category"],
                author=request.user,
                title=data["title"],
                body=_with_image(data["body"], data["image"]),
                state=decision.state,
            )
        except PostingRefused as exc:
            form.add_error(None, str(exc))
        else:
            if decision.pending:
                messages.info(request, _("Your thread will be shown once a moderator has approved it."))
            return redirect(thread)
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/new_thread.html", {"community": community, "form": form}, status=status)


@login_required
@require_POST
@forum_action("forum.post")
def reply(request, thread_id):
    community = current_community(request)
    thread = get_object_or_404(Thread, pk=thread_id, community=community)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.check_can_reply(thread)
            decision = check_posting(
                request,
                community,
                data["body"],
                prior_posts=services.prior_posts(request.user, community),
                has_image=data["image"] is not None,
            )
            post = services.create_reply(
                thread_id=thread.pk,
                author=request.user,
                body=_with_image(data["body"], data["image"]),
                state=decision.state,
                reply_to_number=data["reply_to"],
                quote_number=data["quote"],
            )
        except (ForumError, PostingRefused) as exc:
            form.add_error(None, str(exc))
        else:
            if decision.pending:
                messages.info(request, _("Your reply will be shown once a moderator has approved it."))
            return redirect(post.get_absolute_url())
    return render(request, "forums/reply.html", {"thread": thread, "form": form}, status=400)


@login_required
@forum_action("forum.post", methods=("GET", "POST"))
def edit(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    try:
        services.check_can_edit(post, request.user)
    except ForumError as exc:
        return refused(request, str(exc), status=403)
    form = ReplyForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            decision = check_posting(
                request, community, form.cleaned_data["body"], prior_posts=services.prior_posts(request.user, community)
            )
            services.edit_post(post, request.user, form.cleaned_data["body"], decision.state)
        except (ForumError, PostingRefused) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(post.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/edit.html", {"post": post, "form": form}, status=status)


@login_required
@require_POST
def delete(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    try:
        services.delete_post(post, request.user)
    except ForumError as exc:
        return refused(request, str(exc))
    messages.success(request, _("Your post was deleted."))
    if post.number == 1:
        return redirect("forums:index")
    return redirect(post.get_absolute_url())


@login_required
@require_POST
@forum_action("forum.like")
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
    except ForumError as exc:
        return refused(request, str(exc))
    return redirect(post.get_absolute_url())


@login_required
@forum_action("forum.report", methods=("GET", "POST"))
def report(request, post_id):
    community = current_community(request)
    post = _get_post(request, community, post_id)
    if not post.is_visible_to(request.user):
        return refused(request, _("This post was removed."))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_rate(request, "report")
        except RateLimited as exc:
            return refused(request, str(exc), status=429)
        made = file_report(post, request.user, form.cleaned_data["reason"], form.cleaned_data["note"])
        messages.success(
            request, _("Thank you. A moderator will look at it.") if made else _("You have already reported this post.")
        )
        return redirect(post.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/report.html", {"post": post, "form": form}, status=status)


@login_required
@community_scoped_view(post_id=Scoped(Post, to="post"))
def history(request, post):
    """The edit history of a post, for the staff of its community only."""
    if post.community_id != current_community(request).pk or not request.user.has_perm("moderation.moderate"):
        raise Http404
    return render(request, "forums/history.html", {"post": post, "revisions": post.revisions.all()})


@login_required
def my_posts(request):
    """Everything the user wrote in any community's forum, newest first (the account menu's 我的帖子)."""
    here = sites.community_for_request(request)
    posts = paginate(
        request,
        Post.objects.filter(author=request.user, deleted_at__isnull=True)
        .select_related("thread", "community__site")
        .order_by("-created_at", "-pk"),
    )
    for post in posts:
        path = post.get_absolute_url()
        post.link = (
            path if here is not None and post.community_id == here.pk else site_url(post.community, path, request)
        )
    return render(request, "forums/my_posts.html", {"page_obj": posts})
