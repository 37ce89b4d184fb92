"""Build tools are pinned to current versions, in one agreement between the Makefile
(what `make install` puts into the venv) and pyproject.toml (what builds the package)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _makefile_pins() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text()
    line = re.search(r"^BUILD_TOOLS := (.+)$", text, re.MULTILINE).group(1)
    return dict(pin.split("==") for pin in line.split())


def test_build_tools_are_pinned_alike_in_the_makefile_and_pyproject():
    pins = _makefile_pins()
    assert set(pins) == {"pip", "setuptools", "wheel"}
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    tools = sorted(r for r in requires if not r.startswith("babel"))  # compiles catalogues
    assert tools == sorted(f"{n}=={pins[n]}" for n in ("setuptools", "wheel"))


def test_the_venv_has_at_least_the_pinned_setuptools():
    """The review found setuptools 65 in the venv (known vulnerabilities)."""
    pinned = tuple(int(p) for p in _makefile_pins()["setuptools"].split("."))
    installed = tuple(int(p) for p in re.findall(r"\d+", version("setuptools"))[:3])
    assert installed >= pinned


def test_make_test_runs_the_dependency_audit():
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\baudit\b", text, re.MULTILINE)
    assert (ROOT / "scripts" / "audit.py").exists()
