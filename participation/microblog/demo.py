"""The demo microblog of 翠园社区: the community's pinned notice, residents' posts with a #话题# and an
@mention, an image, comments, likes, and a repost of a post from 湖滨社区 (reposts go across the city)."""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from participation.content.uploads import validate_image
from participation.moderation.models import ModerationState

from . import services
from .models import MicroPost

PUBLISHED = ModerationState.PUBLISHED


def _picture():
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (214, 234, 223))
    draw = ImageDraw.Draw(image)
    for n, colour in enumerate([(46, 125, 50), (21, 101, 192), (198, 40, 40), (120, 120, 120)]):
        draw.rectangle([30 + n * 110, 120, 120 + n * 110, 280], fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return validate_image(SimpleUploadedFile("bins.png", out.getvalue(), content_type="image/png"))


def seed_demo_microblog(home: str = "cuiyuan", neighbour: str = "hubin") -> bool:
    """Once: returns False when 翠园's microblog already has posts (or the demo accounts are missing)."""
    from communities.regions.models import Community

    User = get_user_model()
    cuiyuan = Community.objects.filter(slug=home).first()
    hubin = Community.objects.filter(slug=neighbour).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["editor", "resident", "demo-neighbour", "demo-neighbour-2"])
    }
    if cuiyuan is None or hubin is None or len(users) < 4 or MicroPost.objects.filter(community=cuiyuan).exists():
        return False
    editor, resident, li, zhang = users["editor"], users["resident"], users["demo-neighbour"], users["demo-neighbour-2"]

    def post(community, author, text, **kw):
        return services.create_post(community=community, author=author, text=text, state=PUBLISHED, **kw)

    hubin_clinic = post(
        hubin, zhang, "湖滨社区本周日上午在活动中心有免费义诊，测血压、血糖，附近社区的邻居也可以来 #义诊#"
    )
    notice = post(
        cuiyuan,
        editor,
        "【社区通知】本周六上午9点在社区广场开展 #垃圾分类# 宣传活动，现场发放分类垃圾袋，欢迎居民参加。",
        as_community=True,
    )
    services.set_pinned(notice, True)
    post(cuiyuan, li, "东门的桂花开了，路过的邻居可以闻一闻 #小区风景#")
    sorting = post(
        cuiyuan,
        resident,
        "今天在3号楼的 #垃圾分类# 督导点帮忙，邻居们分得越来越好了！@demo-neighbour 李阿姨明天一起来吗？",
        images=[_picture()],
    )
    post(cuiyuan, li, "转给翠园的老人们，湖滨的义诊不用预约", repost_of=hubin_clinic)
    services.create_comment(post=sorting, author=li, text="好的，明天上午九点见！", state=PUBLISHED, community=cuiyuan)
    services.create_comment(
        post=sorting, author=zhang, text="厨余垃圾记得把袋子单独扔。", state=PUBLISHED, community=cuiyuan
    )
    services.create_comment(post=notice, author=resident, text="我带孙子一起去。", state=PUBLISHED, community=cuiyuan)
    services.like(sorting, zhang)
    services.like(sorting, li)
    services.like(notice, li)
    return True
