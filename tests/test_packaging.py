"""Installed as a package, as a server would install it, eventsys still speaks bokmål:
the built wheel carries its compiled catalogues (issue 13, point 15)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_carries_compiled_catalogues(tmp_path):
    # A clean copy of the sources, as a checkout has them: no compiled catalogues.
    source = tmp_path / "source"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    assert not list(source.glob("eventsys/translations/*/LC_MESSAGES/*.mo"))
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("eventsys-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "eventsys/translations/nb/LC_MESSAGES/messages.mo" in names
    assert "eventsys/translations/en/LC_MESSAGES/messages.mo" in names

    # The compiled bokmål catalogue translates what the pages say.
    from babel.support import Translations

    extracted = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(extracted)
    nb = Translations.load(str(extracted / "eventsys" / "translations"), ["nb"])
    assert nb.gettext("Log in") != "Log in"
