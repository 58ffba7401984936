"""Hostile text for the XSS tests: each entry is (category, payload).

Every payload's script, if it ever ran, sets the sentinel `window.__xss` (`S`) or calls alert/confirm/
prompt, which the test replaces with functions that set the sentinel.
"""
from __future__ import annotations

S = 'window.__xss=(window.__xss||0)+1'

PAYLOADS: list[tuple[str, str]] = [
    # script tags
    ('script', f'<script>{S}</script>'),
    ('script', f'<ScRiPt>{S}</sCrIpT>'),
    ('script', f'<script src="data:text/javascript,{S}"></script>'),
    ('script', f'<scr<script>ipt>{S}</scr</script>ipt>'),
    ('script', f'<script>{S}//'),
    ('script', f'<<script>script>{S}<</script>/script>'),
    ('script', f'<script\t>{S}</script >'),
    ('script', f'</textarea><script>{S}</script>'),
    ('script', f'</title></style></noscript><script>{S}</script>'),
    # event handler attributes
    ('handler', f'<img src=x onerror="{S}">'),
    ('handler', f'<IMG SRC=x OnErRoR={S}>'),
    ('handler', f'"><img src=x onerror={S}>'),
    ('handler', f"'><img src=x onerror={S}>"),
    ('handler', f'<svg onload={S}>'),
    ('handler', f'<svg/onload={S}>'),
    ('handler', f'<body onload={S}>'),
    ('handler', f'<iframe onload={S}></iframe>'),
    ('handler', f'<details open ontoggle={S}>'),
    ('handler', f'<marquee onstart={S}>x</marquee>'),
    ('handler', f'<video><source onerror="{S}"></video>'),
    ('handler', f'<audio src=x onerror={S}>'),
    ('handler', f'<input autofocus onfocus={S}>'),
    ('handler', f'<div onmouseover="{S}" style="position:fixed;inset:0">hover</div>'),
    ('handler', f'<a href="#" onclick="{S}">click</a>'),
    ('handler', '<img src=x onerror=&#119;indow.__xss=1>'),
    ('handler', f'<img src="x" `onerror`={S}>'),
    # javascript:, data:, vbscript: links as raw HTML
    ('url-html', '<a href="javascript:alert(1)">x</a>'),
    ('url-html', '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ('url-html', '<a href="&#106;avascript:alert(1)">x</a>'),
    ('url-html', '<a href="&#x6A;&#x61;vascript&#58;alert(1)">x</a>'),
    ('url-html', '<a href=" \tjavascript:alert(1)">x</a>'),
    ('url-html', '<a href="java\tscript:alert(1)">x</a>'),
    ('url-html', '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    ('url-html', '<a href="vbscript:msgbox(1)">x</a>'),
    # the same as Markdown links
    ('url-md', f'[x](javascript:{S})'),
    ('url-md', '[x](JaVaScRiPt:alert(1))'),
    ('url-md', '[x](javascript&#58;alert(1))'),
    ('url-md', '[x](&#106;avascript:alert(1))'),
    ('url-md', '[x](java%0ascript:alert(1))'),
    ('url-md', '[x](<javascript:alert(1)>)'),
    ('url-md', '[x]( javascript:alert(1) )'),
    ('url-md', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'),
    ('url-md', '[x](vbscript:msgbox(1))'),
    ('url-md', '[x](https://ok.example "title\\" onmouseover=alert(1) x=\\"")'),
    ('url-md', '[x][1]\n\n[1]: javascript:alert(1)'),
    ('url-md', '[x][r]\n\n[r]: data:text/html,<script>alert(1)</script> "t"'),
    ('url-md', '<javascript:alert(1)>'),
    ('url-md', '<data:text/html,<script>alert(1)</script>>'),
    ('url-md', 'www.example.com/javascript:alert(1)'),
    # Markdown image tricks
    ('image-md', '![x](javascript:alert(1))'),
    ('image-md', f'![x](x" onerror="{S})'),
    ('image-md', f'![x" onerror="{S}](x)'),
    ('image-md', '![x](data:image/svg+xml,<svg onload=alert(1)>)'),
    ('image-md', '[![x](x)](javascript:alert(1))'),
    # SVG
    ('svg', f'<svg><script>{S}</script></svg>'),
    ('svg', f'<svg><animate onbegin={S} attributeName=x dur=1s>'),
    ('svg', '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>'),
    ('svg', f'<math><mtext><table><mglyph><style><img src=x onerror={S}>'),
    # style
    ('style', f'<style>@import "javascript:{S}";</style>'),
    ('style', '<div style="background:url(javascript:alert(1))">x</div>'),
    ('style', '<div style="width:expression(alert(1))">x</div>'),
    ('style', '<style>body{display:none}</style>'),
    # embedding, navigation, forms
    ('embed', '<iframe src="javascript:alert(1)"></iframe>'),
    ('embed', '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>'),
    ('embed', '<object data="data:text/html,<script>alert(1)</script>"></object>'),
    ('embed', '<embed src="data:text/html,<script>alert(1)</script>">'),
    ('embed', '<base href="javascript:alert(1)//">'),
    ('embed', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ('embed', '<form action="javascript:alert(1)"><button>go</button></form>'),
    ('embed', '<link rel=import href="data:text/html,<script>alert(1)</script>">'),
    # Vue template injection (the page is a Vue app)
    ('vue', f"{{{{ constructor.constructor('{S}')() }}}}"),
    ('vue', "{{ _openBlock.constructor('alert(1)')() }}"),
    ('vue', f"{{{{ $el.ownerDocument.defaultView.eval('{S}') }}}}"),
    ('vue', '{{ 7*7 }}'),
    ('vue', f'<div v-html="\'<img src=x onerror={S}>\'"></div>'),
    ('vue', f'<div :title="constructor.constructor(\'{S}\')()">x</div>'),
    ('vue', f'<div @click="{S}">x</div>'),
    ('vue', f'<component is="script">{S}</component>'),
    # broken HTML, comments, CDATA
    ('broken', f'<img src=x onerror={S}'),
    ('broken', f'<a href="javascript:alert(1)"<img src=x onerror={S}>'),
    ('broken', f'<!--><img src=x onerror={S}>-->'),
    ('broken', f'<!-- --!><img src=x onerror={S}>'),
    ('broken', f'<![CDATA[><img src=x onerror={S}>]]>'),
    ('broken', f'<noscript><p title="</noscript><img src=x onerror={S}>">'),
    ('broken', f'`<img src=x onerror={S}>`'),
    ('broken', f'```\n</code></pre><img src=x onerror={S}>\n```'),
    # unicode and bidi tricks
    ('unicode', f'\uff1cscript\uff1e{S}\uff1c/script\uff1e'),
    ('unicode', f'<scr\u200bipt>{S}</script>'),
    ('unicode', '[x](java\u200bscript:alert(1))'),
    ('unicode', 'safe \u202e>tpircs/<)1(trela>tpircs< \u202c'),
    ('unicode', f'<img src=x o\u0000nerror={S}>'),
    # markup that is harmless but must show as text
    ('literal', '<b>x</b>'),
]
