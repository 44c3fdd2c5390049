"""pip-audit over the installed environment, for `make lint`.

pip-audit asks PyPI's vulnerability API (or OSV) about each installed distribution. Where the
machine cannot reach it (an offline build box, a registry mirror without the JSON API), every
distribution comes back "could not be audited": that is reported as one warning line and does
not fail the lint (PIP_AUDIT_STRICT=1 makes it fail), because nothing was checked. A known
vulnerability always fails. There is no local advisory copy in this repository yet.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

VENV = Path(sys.prefix)
# What pip-audit's error says when the advisory service cannot be reached (offline).
NETWORK_WORDS = ("connect", "network", "resolve", "timed out", "max retries", "unreachable")


def main() -> int:
    site = next((VENV / "lib").glob("python3*/site-packages"), None)
    if site is None:
        print(f"pip-audit: no site-packages under {VENV / 'lib'}", file=sys.stderr)
        return 1
    result = subprocess.run(
        [
            str(VENV / "bin" / "pip-audit"),
            "--path",
            str(site),
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if not any(word in result.stderr.lower() for word in NETWORK_WORDS):
            print(f"pip-audit: failed: {last}")  # not the network: a real failure
            return 1
        print(f"pip-audit: WARNING: the advisory service could not be reached: {last}")
        return 1 if os.environ.get("PIP_AUDIT_STRICT") else 0
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"pip-audit: {dep['name']} {dep['version']}: {ids}")
    if vulnerable:
        return 1
    if not audited:
        print(
            f"pip-audit: WARNING: the advisory service could not be reached; none of the "
            f"{len(dependencies)} installed distributions was audited"
        )
        return 1 if os.environ.get("PIP_AUDIT_STRICT") else 0
    print(f"pip-audit: {len(audited)} distributions audited, no known vulnerability")
    return 0


if __name__ == "__main__":
    sys.exit(main())
