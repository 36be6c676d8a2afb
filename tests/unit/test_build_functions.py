"""Function packages: exact pins only, shared/ with its templates, deterministic zips."""

from __future__ import annotations

import os
import zipfile

import pytest

from dev.build_functions import BuildError, build_function, pinned_requirements, write_zip
from dev.services import REPO


def test_includes_are_resolved_into_exact_pins(tmp_path):
    (tmp_path / "base.txt").write_text("# runtime\nFlask==3.1.3\nJinja2==3.1.6  # templates\n")
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "requirements.txt").write_text("-r ../base.txt\nopenpyxl==3.1.5\n")
    assert pinned_requirements(tmp_path / "fn" / "requirements.txt") == [
        "Flask==3.1.3",
        "Jinja2==3.1.6",
        "openpyxl==3.1.5",
    ]


@pytest.mark.parametrize("line", ["flask>=3", "flask", "git+https://example.org/x.git", "-e ."])
def test_anything_but_an_exact_pin_is_refused(tmp_path, line):
    (tmp_path / "requirements.txt").write_text(f"Jinja2==3.1.6\n{line}\n")
    with pytest.raises(BuildError, match="not an exact pin"):
        pinned_requirements(tmp_path / "requirements.txt")


def test_two_pins_of_one_package_are_refused(tmp_path):
    (tmp_path / "base.txt").write_text("Flask==3.1.3\n")
    (tmp_path / "requirements.txt").write_text("-r base.txt\nflask==3.0.0\n")
    with pytest.raises(BuildError, match="conflicting pins"):
        pinned_requirements(tmp_path / "requirements.txt")


def test_every_function_ships_the_runtime_pins(tmp_path):
    built = build_function("notify", tmp_path)
    shipped = (built.folder / "requirements.txt").read_text().splitlines()[1:]
    assert shipped == pinned_requirements(REPO / "requirements.txt")


def test_package_holds_main_requirements_and_shared_with_its_templates(tmp_path):
    built = build_function("notify", tmp_path)
    names = set(zipfile.ZipFile(built.zip_path).namelist())
    assert {
        "main.py",
        "requirements.txt",
        "shared/__init__.py",
        "shared/email/rendering.py",
    } <= names
    assert "shared/templates/email/alerts.html.j2" in names
    assert "shared/data/fx_rates.json" in names
    # Compiled catalogues (make compiles them before `make build` and `make test`).
    assert "shared/locale/km/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "dev/", "functions/"))]


def test_the_zip_depends_on_contents_only(tmp_path):
    first = build_function("match", tmp_path / "a")
    second = build_function("match", tmp_path / "b")
    for path in second.folder.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
        path.chmod(0o755 if path.is_dir() else 0o600)
    write_zip(second.folder, second.zip_path)
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    (second.folder / "main.py").write_text("# changed\n")
    write_zip(second.folder, second.zip_path)
    assert first.zip_path.read_bytes() != second.zip_path.read_bytes()
