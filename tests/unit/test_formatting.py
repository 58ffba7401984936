import re

import pytest

from services.formatting import render_markdown


def test_inline_styles() -> None:
    assert render_markdown('**bold** *it* `code` ~~gone~~') == (
        '<p><strong>bold</strong> <em>it</em> <code>code</code> <del>gone</del></p>')


def test_code_block_keeps_text_escaped() -> None:
    assert render_markdown('```python\nif a < b:\n    pass\n```') == (
        '<pre><code>if a &lt; b:\n    pass\n</code></pre>')


def test_single_newlines_become_line_breaks() -> None:
    assert render_markdown('one\ntwo') == '<p>one<br>\ntwo</p>'


def test_links_open_safely_in_a_new_tab() -> None:
    html = render_markdown('[docs](https://example.com "Docs")')
    assert html.startswith('<p><a href="https://example.com"')
    assert 'title="Docs"' in html and 'target="_blank"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize('text', [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<div onclick="alert(1)">hi</div>',
    '<iframe src="https://evil.example"></iframe>',
])
def test_raw_html_shows_as_text(text: str) -> None:
    html = render_markdown(text)
    # no real tag besides the paragraph, and the links linkify makes of bare https addresses
    assert set(re.findall(r'<(/?[a-z]+)', html)) <= {'p', '/p', 'a', '/a'}
    assert all(href.startswith('https://') for href in re.findall(r'<a href="([^"]*)"', html))
    assert html.startswith('<p>&lt;')  # what they typed, visible as text


@pytest.mark.parametrize('text', ['[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](data:text/html,hi)',
                                  '[x](vbscript:msgbox)', '<javascript:alert(1)>'])
def test_dangerous_link_schemes_never_become_links(text: str) -> None:
    html = render_markdown(text)
    assert 'href' not in html


def test_images_become_their_alt_text() -> None:
    html = render_markdown('![a cat](https://example.com/cat.png)')
    assert '<img' not in html and 'a cat' in html


def test_attributes_outside_the_allow_list_are_dropped() -> None:
    html = render_markdown('[x](https://example.com)')
    assert 'style' not in html and 'class' not in html


def test_bare_addresses_become_safe_links() -> None:
    html = render_markdown('notes at https://example.com/notes and www.example.org, not javascript:alert(1)')
    assert '<a href="https://example.com/notes" target="_blank" rel="noopener noreferrer nofollow">' in html
    assert 'href="http://www.example.org"' in html
    assert 'href="javascript' not in html
