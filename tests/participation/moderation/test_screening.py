import pytest

from participation.moderation.models import SensitiveWord
from participation.moderation.screening import normalise, screen


@pytest.fixture
def words(city):
    SensitiveWord.objects.create(community=None, word="赌博网站", action="block")
    SensitiveWord.objects.create(community=None, word="BadWord", action="block")
    SensitiveWord.objects.create(community=city["a1"], word="代开发票", action="block")
    SensitiveWord.objects.create(community=city["a1"], word="拆迁", action="review")
    return city


@pytest.mark.parametrize(
    "text",
    [
        "欢迎访问赌博网站",
        "赌 博 网 站",
        "赌.博-网_站",
        "赌\u3000博\u3000网\u3000站",  # ideographic spaces
        "赌*博*网*站",
        "ＢＡＤＷＯＲＤ",  # full-width Latin
        "b a d w o r d",
        "this is a Bad-Word!",
        "代　开 发 票",
    ],
)
def test_blocking_variants_are_caught(words, text):
    assert screen(text, words["a1"]).blocked


def test_review_words_and_community_scope(words):
    result = screen("关于拆迁的讨论", words["a1"])
    assert result.review == ["拆迁"] and not result.blocked
    assert screen("关于拆迁的讨论", words["b1"]).ok  # a1's list does not apply in b1
    assert screen("代开发票", words["b1"]).ok
    assert screen("赌博网站", words["b1"]).blocked  # city-wide


def test_innocent_text_passes(words):
    assert screen("今天天气很好，大家去公园散步吧。", words["a1"]).ok


def test_a_new_word_applies_at_once(words):
    assert screen("团购优惠", words["a1"]).ok
    SensitiveWord.objects.create(community=words["a1"], word="团购", action="block")
    assert screen("团 购优惠", words["a1"]).blocked
    SensitiveWord.objects.filter(word="团购").delete()
    assert screen("团购优惠", words["a1"]).ok


def test_normalise_folds_width_case_and_separators():
    assert normalise("Ａ Ｂ-c。Ｄ！") == "abcd"


def test_a_long_list_screens_fast(city):
    import time

    SensitiveWord.objects.bulk_create(SensitiveWord(community=None, word=f"词{i:05d}") for i in range(5000))
    from participation.moderation.screening import words_changed

    words_changed()
    screen("预热", city["a1"])
    text = "正常的内容" * 2000
    started = time.perf_counter()
    for _ in range(20):
        assert screen(text, city["a1"]).ok
    assert (time.perf_counter() - started) / 20 < 0.05
    assert screen("这里有 词 0 4 2 4 2", city["a1"]).blocked == ["词04242"]
