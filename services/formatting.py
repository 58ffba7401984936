"""Message formatting: Markdown rendered on the server, raw HTML off, output passed through an allow-list.

Rendering is pure Python and, for hostile 4,000-character inputs, not cheap: measured here up to 41 ms
('[' * 4000), 27 ms for nested `[*` link/emphasis, 22 ms for 330 bare links (plain text: 1 ms); the
worst case grows linearly, about 10 us per character. So `Renderer` renders short texts (at most
`INLINE_MAX` characters: 2.5 ms at worst) at once, and longer ones in one worker process. A worker
thread was not enough: it holds the GIL, and every database round trip of everyone else's request then
waited up to 5 ms for it, so two users posting worst-case Markdown raised others' p99 to 600 ms. The
worker is forked (not spawned: a spawned worker re-imports main.py), once, on the first long message;
where fork does not exist it falls back to a thread.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_TAGS = {
    'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'span',
}
_ATTRIBUTES = {'a': {'href', 'title'}, 'span': {'class', 'data-testid', 'data-user'}}
_SCHEMES = {'http', 'https', 'mailto'}

# html=False makes markdown-it escape any HTML the user typed, so it shows as text;
# nh3 is the second fence in case a renderer rule ever emits something unexpected.
# linkify: bare addresses (https://..., www.example.com) become links, as in every chat app.
_md = MarkdownIt('commonmark', {'html': False, 'breaks': True, 'linkify': True}).enable(['strikethrough', 'linkify'])
# Images would load third-party URLs in every viewer's browser: render their alt text instead.
_md.add_render_rule('image', lambda self, tokens, idx, options, env: self.renderInline(
    tokens[idx].children or [], options, env))

# markdown-it writes strikethrough as <s>; the allow-list (and the UI styles) speak <del>.
_md.add_render_rule('s_open', lambda self, tokens, idx, options, env: '<del>')
_md.add_render_rule('s_close', lambda self, tokens, idx, options, env: '</del>')


# @name as services/mentions.py finds it: not after a word character (an e-mail address is no mention).
MENTION = re.compile(r'(?<![\w@])@([A-Za-z0-9_.\-]+)')
ALL = 'room'  # @room: everyone in the conversation


def mentioned(word: str, names: frozenset[str]) -> str | None:
    """The name an @word stands for among `names` (lower-cased): itself, or without trailing punctuation
    ('@alice.' at the end of a sentence); None if neither."""
    name = word.lower()
    if name in names:
        return name
    short = name.rstrip('.-_')
    return short if short != name and short in names else None


def _mentions(state: StateCore) -> None:
    """Core rule: @name of a resolved name (the render env's `mentions`) in plain text becomes a `mention` token;
    not inside code (its own tokens) nor inside a link. Unresolved names stay text."""
    names = state.env.get('mentions') if isinstance(state.env, dict) else None
    if not names:
        return
    for block in state.tokens:
        if block.type != 'inline' or not block.children:
            continue
        out: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += {'link_open': 1, 'link_close': -1}.get(token.type, 0)
            if token.type != 'text' or in_link or '@' not in token.content:
                out.append(token)
                continue
            out.extend(_split(token, names))
        block.children = out


def _split(token: Token, names: frozenset[str]) -> list[Token]:
    pieces: list[Token] = []
    text, start = token.content, 0
    for match in MENTION.finditer(text):
        name = mentioned(match.group(1), names)
        if name is None:
            continue
        end = match.start() + 1 + len(name)
        if match.start() > start:
            pieces.append(_text(text[start:match.start()]))
        mention = Token('mention', 'span', 0)
        mention.meta = {'name': name}
        pieces.append(mention)
        start = end
    if not pieces:
        return [token]
    if start < len(text):
        pieces.append(_text(text[start:]))
    return pieces


def _text(content: str) -> Token:
    piece = Token('text', '', 0)
    piece.content = content
    return piece


def _render_mention(self: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
    name = str(tokens[idx].meta['name'])  # a username's characters, or 'room': nothing to escape
    kind = 'mention mention-all' if name == ALL else 'mention'
    return f'<span class="{kind}" data-testid="mention" data-user="{name}">@{name}</span>'


_md.core.ruler.push('mention', _mentions)
_md.add_render_rule('mention', _render_mention)
_SPAN_VALUES = {'class': {'mention', 'mention mention-all'}, 'data-testid': {'mention'}}


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    """A span keeps only the values a mention has (nothing else writes spans; nh3 is the second fence)."""
    if tag != 'span':
        return value
    if attribute == 'data-user':
        return value if MENTION.fullmatch('@' + value) else None
    return value if value in _SPAN_VALUES.get(attribute, ()) else None


def render_markdown(text: str, mentions: frozenset[str] = frozenset()) -> str:
    """The message body as safe HTML (links open in a new tab without referrer or opener). `mentions`: the
    lower-cased names (and 'room') that render as mentions (services/mentions.py resolves them)."""
    html = _md.render(text, {'mentions': mentions} if mentions else None)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel='noopener noreferrer nofollow',
        set_tag_attribute_values={'a': {'target': '_blank'}},
        attribute_filter=_attribute if mentions else None,
    ).strip()


INLINE_MAX = 200


class Renderer:
    """Renders message bodies without stalling the event loop (see the module's docstring)."""

    def __init__(self, render: Callable[..., str] | None = None) -> None:
        self._render: Callable[..., str] = render or render_markdown  # module-level: the worker finds it by name
        self._pool: Executor | None = None

    async def render(self, text: str, mentions: frozenset[str] = frozenset()) -> str:
        """`text` as HTML; the names in `mentions` (lower-cased; 'room' for @room) render as mentions."""
        render = self._render
        args: tuple[object, ...] = (text, mentions) if mentions else (text,)  # picklable, for the worker
        if len(text) <= INLINE_MAX:
            return render(*args)
        loop = asyncio.get_running_loop()
        if self._pool is None:
            self._pool = _worker()
        if self._pool is None:
            return await asyncio.to_thread(render, *args)
        try:
            return await loop.run_in_executor(self._pool, render, *args)
        except BrokenProcessPool:  # the worker was killed: start another for the next message
            self._pool = None
            return await asyncio.to_thread(render, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _worker() -> Executor | None:
    if 'fork' not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('fork'))
