"""Bytes to text: BOMs, declarations that lie, legacy charsets, mojibake."""

from __future__ import annotations

import codecs

import pytest

from policydiff.extract.encoding import decode_bytes

from .helpers import FIXTURES, extract_html

DEVIANTART = FIXTURES / "tosback" / "deviantart-privacy-policy-latin1-declared" / "20200923T123022Z.html"


def test_declared_latin1_over_utf8_bytes_is_detected() -> None:
    decoded = decode_bytes(DEVIANTART.read_bytes())
    assert (decoded.declared, decoded.detected, decoded.mismatch) == ("iso-8859-1", "utf-8", True)
    assert "DeviantArt’s" in decoded.text or "’" in decoded.text


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("windows-1252", "Données personnelles – “Politique” de confidentialité"),
        ("gb2312", "隐私政策：我们如何收集和使用您的个人信息"),
        ("gbk", "隱私政策與個人資料"),
        ("shift_jis", "プライバシーポリシー（個人情報の取り扱い）"),
    ],
)
def test_legacy_charsets_decode_by_their_declaration(charset: str, text: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><main><p>{text}</p></main></body></html>'
    assert extract_html(page.encode(charset)).markdown == text + "\n"


def test_header_charset_wins_over_nothing_and_bom_wins_over_all() -> None:
    body = "<p>Résumé</p>".encode("cp1252")
    assert decode_bytes(body, "text/html; charset=windows-1252").text == "<p>Résumé</p>"
    assert decode_bytes(codecs.BOM_UTF8 + "<p>Résumé</p>".encode(), "text/html; charset=iso-8859-1").text == (
        "<p>Résumé</p>"
    )


def test_mojibake_in_the_capture_is_repaired() -> None:
    # UTF-8 text that went through windows-1252 before it was captured.
    broken = "We don’t sell your data – café".encode().decode("cp1252")
    result = extract_html(f"<main><p>{broken}</p></main>")
    assert result.markdown == "We don’t sell your data – café\n"
    assert any("mojibake" in w for w in result.warnings)
