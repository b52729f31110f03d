"""Wayback and Cloudflare clean-up, on fragments in the exact form those services write."""

from __future__ import annotations

import pytest

from policydiff.extract.wayback import decode_cfemail, strip_toolbar, unwayback

from .helpers import extract_html

# The Wayback Machine's playback page: the toolbar insert, its scripts in <head>, and links
# rewritten to /web/<timestamp><flag>/<original>.
WAYBACK_PAGE = """<!DOCTYPE html><html><head>
<script src="//archive.org/includes/analytics.js?v=cf34f82" type="text/javascript"></script>
<script type="text/javascript">
window.addEventListener('DOMContentLoaded',function(){var v=archive_analytics.values;});</script>
<script type="text/javascript" src="https://web-static.archive.org/_static/js/bundle-playback.js?v=1B2M2Y8A"></script>
<link rel="stylesheet" type="text/css" href="https://web-static.archive.org/_static/css/banner-styles.css?v=S1zqJCYt" />
<!-- End Wayback Rewrite JS Include -->
<title>Privacy Policy</title></head>
<body>
<!-- BEGIN WAYBACK TOOLBAR INSERT -->
<div id="wm-ipp-base" lang="en" style="display:none;direction:ltr;"><div id="wm-ipp" style="position:fixed;">
<div id="wm-ipp-inside"><table id="wm-ipp-capinfo">
<tr><td>45 captures</td><td>21 Nov 2017 - 03 Jan 2020</td></tr></table>
<a href="https://web.archive.org/web/20171121214541*/https://www.zwsoft.com/about/privacyPolicys">About this capture</a>
</div></div></div>
<!-- END WAYBACK TOOLBAR INSERT -->
<div id="content"><h1>Privacy Policy</h1>
<p>Read our <a href="/web/20171121214541/https://www.zwsoft.com/about/terms">terms</a>,
our <a href="https://web.archive.org/web/20171121214541id_/http://www.zwsoft.com/cookies?lang=en">cookie notice</a>
and <a href="/web/2017/http:/www.zwsoft.com/legal">legal notes</a>.</p>
<p>Write to <a href="/cdn-cgi/l/email-protection#3b4b4952...">x</a>
<a href="/cdn-cgi/l/email-protection#a4d4d6cdd2c5c7dde4ded3c7c5c08ac7cbc9"><span class="__cf_email__"
data-cfemail="a4d4d6cdd2c5c7dde4ded3c7c5c08ac7cbc9">[email&#160;protected]</span></a>.</p>
</div></body></html>
"""


def test_wayback_page_keeps_only_the_policy_with_original_links() -> None:
    result = extract_html(
        WAYBACK_PAGE, "https://web.archive.org/web/20171121214541/https://www.zwsoft.com/about/privacyPolicys"
    )
    markdown = result.markdown
    assert "captures" not in markdown and "About this capture" not in markdown
    assert "archive.org" not in markdown and "archive_analytics" not in markdown
    assert "[terms](https://www.zwsoft.com/about/terms)" in markdown
    assert "[cookie notice](http://www.zwsoft.com/cookies?lang=en)" in markdown
    assert "[legal notes](http://www.zwsoft.com/legal)" in markdown


@pytest.mark.parametrize("page", [WAYBACK_PAGE, WAYBACK_PAGE.replace("Privacy Policy", "Politique de confidentialité")])
def test_the_toolbar_insert_leaves_the_source_as_text_or_as_utf8(page: str) -> None:
    # The later passes drop most of it again (its ids, its scripts): asked of the source,
    # whichever form the caller has at hand.
    stripped = strip_toolbar(page, page.encode("utf-8"))
    assert stripped == strip_toolbar(page)
    assert "WAYBACK TOOLBAR" not in stripped and "wm-ipp" not in stripped
    assert "bundle-playback" not in stripped and "banner-styles" not in stripped
    assert '<div id="content">' in stripped


def test_cloudflare_email_protection_is_decoded() -> None:
    markdown = extract_html(WAYBACK_PAGE).markdown
    assert "[privacy@zwcad.com](mailto:privacy@zwcad.com)" in markdown
    assert "email protected" not in markdown
    assert "cdn-cgi" not in markdown.replace("cdn-cgi/l/email-protection#3b4b4952...", "")


@pytest.mark.parametrize(
    ("rewritten", "original"),
    [
        ("https://web.archive.org/web/20171121214541id_/https://www.zwsoft.com/a", "https://www.zwsoft.com/a"),
        ("/web/20140520021055im_/http://www.zwsoft.com/logo.png", "http://www.zwsoft.com/logo.png"),
        ("//web.archive.org/web/2014js_/http://x.org/s.js", "http://x.org/s.js"),
        ("/web/20140520021055/http:/www.zwsoft.com/", "http://www.zwsoft.com/"),
        ("/web/20140520021055cs_/www.zwsoft.com/a.css", "http://www.zwsoft.com/a.css"),
        ("https://www.zwsoft.com/web/page", "https://www.zwsoft.com/web/page"),
    ],
)
def test_unwayback(rewritten: str, original: str) -> None:
    assert unwayback(rewritten) == original


def test_decode_cfemail_rejects_garbage() -> None:
    assert decode_cfemail("a4d4d6cdd2c5c7dde4ded3c7c5c08ac7cbc9") == "privacy@zwcad.com"
    assert decode_cfemail("zz") is None
    assert decode_cfemail("a4") is None
