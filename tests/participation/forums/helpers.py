import re

from participation.forums.models import Thread


def start_thread(client, category, title="楼主的话题", body="大家好"):
    response = client.post("/forum/new/", {"category": category.pk, "title": title, "body": body})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Thread.objects.get(title=title)


def reply(client, thread, body="回复", **extra):
    return client.post(f"/forum/t/{thread.pk}/reply/", {"body": body, **extra})


def errors(response) -> str:
    text = response.content.decode()
    return " ".join(re.findall(r'role="alert">(.*?)</', text, flags=re.S))
