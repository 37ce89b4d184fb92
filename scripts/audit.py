"""Dependency audit for `make test`: pip-audit over the project's virtual environment.

Known vulnerabilities fail the run. pip-audit needs its vulnerability service (PyPI's
JSON API); on a machine that cannot reach it, or reaches a mirror without that data,
pip-audit would "pass" having audited nothing. This script says so plainly and skips
instead, unless EVENTSYS_AUDIT_REQUIRED=1 makes that a failure (set it where the
network is there, e.g. a release pipeline).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    required = os.environ.get("EVENTSYS_AUDIT_REQUIRED") == "1"
    command = [
        str(BIN / "pip-audit"),
        "--progress-spinner",
        "off",
        "--skip-editable",  # eventsys itself is not on PyPI
        "--format",
        "json",
        "--timeout",
        "20",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        return _skip("pip-audit is not installed (make install)", required)
    except subprocess.TimeoutExpired:
        return _skip("the vulnerability service did not answer within 10 minutes", required)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return _skip(f"pip-audit could not run ({last})", required)

    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if vulnerable:
        print("dependency audit FAILED: known vulnerabilities")
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
        return 1
    if not audited:
        return _skip(
            f"the vulnerability service had data for none of the {len(dependencies)} "
            "installed packages (offline, or a mirror without vulnerability data)",
            required,
        )
    skipped = len(dependencies) - len(audited)
    print(
        f"dependency audit: {len(audited)} packages checked, no known vulnerabilities"
        + (f" ({skipped} could not be checked)" if skipped else "")
    )
    return 0


def _skip(reason: str, required: bool) -> int:
    print(f"dependency audit SKIPPED: {reason}.")
    if required:
        print("EVENTSYS_AUDIT_REQUIRED=1: a skipped audit fails.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
