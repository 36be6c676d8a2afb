"""Each built function folder is deployable on its own: its requirements.txt, installed
from PyPI into a fresh virtual environment, is all its main.py and the copied shared/
need, and functions-framework finds the entry point with the right signature.

This installs real packages (seconds with pip's cache warm, as after `make test`'s own
install). Folders whose
requirements.txt are byte-for-byte the same share one environment: installing the same
file twice would prove nothing more.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dev.build_functions import Built, build_function
from dev.topology import load_topology

pytestmark = pytest.mark.package

FUNCTIONS = load_topology()["functions"]
SIGNATURE = {"http": "http", "schedule": "http", "pubsub": "cloudevent"}

# Loads main.py the way Cloud Functions does (functions-framework's create_app), in an
# isolated interpreter (-I: no current directory, PYTHONPATH or user site on sys.path).
PROBE = """
import json, sys
import functions_framework
from functions_framework import _function_registry as registry
source, target = sys.argv[1], sys.argv[2]
functions_framework.create_app(target, source)
import shared
main = sys.modules["main"]
print(json.dumps({
    "main": main.__file__,
    "shared": shared.__file__,
    "entry_point_callable": callable(getattr(main, target, None)),
    "signature": registry.REGISTRY_MAP.get(target),
}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Built]:
    out = tmp_path_factory.mktemp("build")
    return {name: build_function(name, out) for name in FUNCTIONS}


@pytest.fixture(scope="module")
def venvs(tmp_path_factory, built) -> dict[str, Path]:
    """A fresh virtual environment per distinct requirements.txt, installed from PyPI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    made: dict[str, Path] = {}
    for package in built.values():
        requirements = package.folder / "requirements.txt"
        digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
        if digest in made:
            continue
        venv = tmp_path_factory.mktemp(f"venv-{digest}")
        # The environment gets no pip of its own: the test's pip installs into it
        # (--python), and skipping .pyc compilation keeps this step to seconds.
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")),
                *("install", "--quiet", "--no-compile", "--disable-pip-version-check"),
                *("-r", str(requirements)),
            ],
            check=True,
            env=env,
        )
        made[digest] = venv
    return {
        name: made[hashlib.sha256((p.folder / "requirements.txt").read_bytes()).hexdigest()[:12]]
        for name, p in built.items()
    }


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_built_function_imports_in_a_fresh_environment(name, built, venvs):
    package, spec = built[name], FUNCTIONS[name]
    result = subprocess.run(
        [
            str(venvs[name] / "bin" / "python"),
            "-I",
            "-c",
            PROBE,
            str(package.folder / "main.py"),
            spec["entry_point"],
        ],
        capture_output=True,
        text=True,
        cwd=package.folder.parent,
        env={"PATH": os.environ["PATH"]},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["main"]).parent == package.folder
    assert Path(found["shared"]).parent.parent == package.folder  # the copy, not the repo's
    assert found["entry_point_callable"]
    assert found["signature"] == SIGNATURE[spec["trigger"]]


# The plan's export in the built ingest folder alone: fonts from its copy of shared/data,
# HarfBuzz from the uharfbuzz wheel, no system font or library.
EXPORT_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from shared.export import render_docx, render_pdf
from shared.export.scripts import FONT_DIR
from shared.domain.logframe import Logframe
from shared.domain.models import Project
plan = Logframe.model_validate({
    "goal": {"statement": "សហគមន៍មានសុវត្ថិភាពជាងមុននៅលើអ៊ីនធឺណិត"},
    "outputs": [{"statement": "គ្រូបង្គោលស្ត្រី ២០ នាក់", "budget": 100,
                 "activities": [{"text": "វគ្គបណ្តុះបណ្តាល", "start_month": 1, "end_month": 2}]}],
})
project = Project(id="p1", created_at="2026-12-01T00:00:00Z", updated_at="2026-12-01T00:00:00Z",
                  org_name="CSO", contact_email="a@example.org", title="គម្រោង",
                  sectors=["digital-security"], country="KH", applicant_type="network",
                  amount_needed=100, currency="USD", language="km", plan=plan)
pdf, docx = render_pdf(project, "km"), render_docx(project, "km")
print(json.dumps({"fonts": str(FONT_DIR), "pdf": pdf[:5].decode(),
                  "khmer_font": b"NotoSansKhmer" in pdf, "docx": docx[:2].decode()}))
"""


def test_the_built_ingest_function_exports_a_khmer_plan_with_its_own_fonts(built, venvs):
    package = built["ingest"]
    result = subprocess.run(
        [str(venvs["ingest"] / "bin" / "python"), "-I", "-c", EXPORT_PROBE, str(package.folder)],
        capture_output=True,
        text=True,
        cwd=package.folder.parent,
        env={"PATH": os.environ["PATH"]},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["fonts"]).is_relative_to(package.folder)
    assert (found["pdf"], found["khmer_font"], found["docx"]) == ("%PDF-", True, "PK")
