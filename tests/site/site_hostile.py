"""A hostile policy: captures written to attack the site that renders them."""

from __future__ import annotations

NAME = "Evil <script>alert('name')</script> policy"
URL = "https://evil.example/privacy"

_COMMON = """
Hello <img src=x onerror="alert('img')"> world. <svg onload="alert('svg')"></svg>
Text with [a markdown link](javascript:alert('mdlink')) and [data](data:text/html,<script>alert('data')</script>).
<a href="javascript:alert('rawlink')">raw link</a> <a href=" javascript:alert('spaced')">spaced link</a>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/form"><input name="q"><button>send</button></form>
<style>body {{ background: url(https://evil.example/bg.png) }}</style>
<p style="background:url(https://evil.example/style.png)" onclick="alert('click')">styled paragraph</p>
![pixel](https://evil.example/pixel.png)
<link rel="stylesheet" href="https://evil.example/x.css">
</textarea><script>alert('textarea')</script>
--><script>alert('comment')</script><!--
]]><script>alert('cdata')</script>
Trojan: access level \u202euser\u202c is \u2066admin\u2069 here.
Control\x02chars\x03 here.
`code <script>alert('code')</script>`
{{{{ config.extra }}}} {{% raw %}} --8<-- "/etc/passwd"

```html
<script>alert('fence')</script>
```

## Heading <script>alert('heading')</script> {{: onclick="alert('attr')" #pwn }}

[link text]( https://evil.example/ "title\\" onmouseover=\\"alert('title')")
<details open ontoggle="alert('toggle')"><summary>x</summary>y</details>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/">
"""

VERSIONS = {
    "20200101T000000Z.md": "# Evil policy {{: onclick=alert('h1') }}\n\nFirst version.\n" + _COMMON.format(),
    "20200201T000000Z.md": "# Evil policy {{: onclick=alert('h1') }}\n\n"
    + "Second <b onmouseover=alert('v2')>version</b>.\n"
    + _COMMON.format()
    + "\n## Added <img src=x onerror=alert('added')>\n\nNew clause \u202e with bidi.\n",
}
HTML_CAPTURE = (
    "20200301T000000Z.html",
    """<!doctype html><html><head><title>Evil</title><script>alert('head')</script>
<meta http-equiv="refresh" content="0;url=javascript:alert('meta')"></head>
<body onload="alert('body')"><h1>Evil policy</h1><p>Third <a href="javascript:alert('html')">version</a>
<img src="https://evil.example/track.gif" onerror="alert('img2')"></p>
<h2>Data <span onmouseover="alert('span')">we</span> collect</h2>
<p>All of it. &lt;script&gt;alert('entity')&lt;/script&gt;</p>
<iframe srcdoc="<script>alert('srcdoc')</script>"></iframe><object data="https://evil.example/o"></object>
<textarea></textarea><script>alert('ta')</script></body></html>""",
)
