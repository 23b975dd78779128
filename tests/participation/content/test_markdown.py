from participation.content.markdown import contains_link_or_image, render_markdown


def test_links_get_rel_and_unsafe_schemes_are_dropped():
    html = render_markdown("[a](https://example.com) [b](javascript:alert(1)) [c](mailto:x@example.com)")
    assert '<a href="https://example.com" rel="nofollow ugc noopener">a</a>' in html
    assert 'href="javascript' not in html
    assert 'href="mailto:x@example.com"' in html


def test_raw_html_is_escaped_not_rendered():
    html = render_markdown('<b onclick="x()">hi</b>')
    assert "<b" not in html and "&lt;b" in html


def test_headings_are_demoted_below_the_page_title():
    assert render_markdown("# A\n\n## B") == "<h3>A</h3>\n<h3>B</h3>\n"


def test_images_only_over_http_and_can_be_turned_off():
    assert '<img src="https://example.com/a.png" alt="x">' in render_markdown("![x](https://example.com/a.png)")
    assert "data:" not in render_markdown("![x](data:image/png;base64,AAAA)")
    assert "<img" not in render_markdown("![x](https://example.com/a.png)", allow_images=False)
    assert "<a" not in render_markdown("[x](https://example.com)", allow_links=False)


def test_link_detection_for_new_accounts():
    assert contains_link_or_image("see https://x.example")
    assert contains_link_or_image("![p](/media/a.png)")
    assert contains_link_or_image("[t](/relative)")
    assert not contains_link_or_image("纯文字，没有链接")


def test_phone_and_id_numbers_are_masked():
    html = render_markdown("电话 13812345678，或 +86 138-1234-5678；身份证 11010519491231002X。楼号 2024 年")
    assert "13812345678" not in html and "1234-5678" not in html
    assert "138****5678" in html
    assert "11010519491231002X" not in html and "11**************2X" in html
    assert "2024" in html  # ordinary numbers stay
    assert "13812345678" in render_markdown("13812345678", mask_personal=False)
