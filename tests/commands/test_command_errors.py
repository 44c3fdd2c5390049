"""Operators get one clear line and a non-zero exit for bad input, never a traceback.

These run ``manage.py`` as a real process, exactly as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    (["seed_demo", "--videos", "abc"], "invalid int value"),
    (["seed_demo", "--videos", "0"], "--videos must be between"),
    (["verify_audit_log", "--nope"], "unrecognized arguments"),
    (["platform_add"], "required"),
    (["platform_add", "tiktok", "--name", "TikTok", "--callback-url", "not a url"], "URL"),
    (
        [
            "platform_add",
            "tiktok",
            "--name",
            "TikTok",
            "--callback-url",
            "https://x.example/cb",
            "--secret",
            "whsec_!!notbase64",
        ],
        "base64",
    ),
    (
        [
            "platform_add",
            "tiktok",
            "--name",
            "TikTok",
            "--callback-url",
            "https://x.example/cb",
            "--secret",
            "whsec_c2hvcnQ=",
        ],
        "bytes",
    ),
    (
        [
            "platform_add",
            "tiktok",
            "--name",
            "TikTok",
            "--callback-url",
            "https://x.example/cb",
            "--callback-secret",
            "nowhsec",
        ],
        "whsec_",
    ),
    (["platform_rotate_secret", "no-such-platform"], "no-such-platform"),
    (["platform_rotate_secret"], "required"),
    (["platform_rotate_secret", "tiktok", "--grace", "-5"], "grace"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_one_clear_line(argv, expected, tiktok):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SARING_ENV": "test",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert expected.lower() in lines[0].lower()
