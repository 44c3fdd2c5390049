"""Indonesian is the source language; every string has an English translation that is
compiled, and the language switch changes the pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.clients import signed_in

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def po_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of the singular entries, unescaped."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or "msgctxt" in block:
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgstr) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries.append(
                tuple(
                    fields[k].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                    for k in ("msgid", "msgstr")
                )
            )
    return entries


def test_every_string_has_an_english_translation():
    entries = po_entries()
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    for msgid, msgstr in entries:
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", msgstr)
        ), msgid


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("en"):
        stale = [msgid for msgid, msgstr in po_entries() if translation.gettext(msgid) != msgstr]
    assert stale == [], "run: manage.py compilemessages -l en"


@pytest.mark.django_db
def test_language_switch_renders_english(moderator):
    client = signed_in(moderator)
    assert "Kasus terbuka" in client.get("/queues/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/queues/"})
    assert response.status_code == 302
    page = client.get("/queues/").content.decode()
    assert '<html lang="en">' in page
    assert "Open cases" in page
    assert "All times in WIB (Asia/Jakarta)." in page
