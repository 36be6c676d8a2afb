"""Cold start: how long a fresh interpreter takes to import each function's main.py and
build what it serves with (what an instance pays before its first request), next to the
bare import of the client libraries it is built on, and which heavy libraries each
function loads at import.

    .venv/bin/python -m bench.cold_start [--runs 7]

Each figure is the median of several fresh interpreters; `-X importtime` attributes the
time to top-level packages. No emulator is needed: importing creates no client.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

from dev.services import REPO

FUNCTIONS = ("ingest", "match", "notify", "relay")
LIBRARIES = (
    "functions_framework",
    "flask",
    "google.cloud.firestore",
    "google.cloud.pubsub_v1",
    "sendgrid",
    "jinja2",
    "babel.dates",
    "pydantic",
    "pycountry",
    "lxml.etree",
    "ijson",
    "tqdm",
    "myanmartools",
)
#: Libraries a function should load only when it uses them (imports, mail, Zawgyi, ...).
WATCHED = (
    "google.cloud.pubsub_v1",
    "sendgrid",
    "tenacity",
    "babel.dates",
    "babel.support",
    "lxml",
    "ijson",
    "tqdm",
    "myanmartools",
    "myanmar",
    "shared.importers",
    "shared.email.rendering",
)
# Loads main.py the way functions-framework does (a module from a file path), timed
# inside the child so interpreter start-up is not counted.
_LOAD_MAIN = """
import importlib.util, json, sys, time
began = time.perf_counter()
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["main"] = module
spec.loader.exec_module(module)
if callable(getattr(module, "app", None)):
    module.app()  # ingest builds its app on the first request: the instance pays it too
seconds = time.perf_counter() - began
from shared.runtime.bootstrap import adapters
watched = [name for name in sys.argv[2].split(",") if name in sys.modules]
print(json.dumps({"seconds": seconds, "modules": len(sys.modules), "loaded": watched,
                  "clients_created": adapters.cache_info().currsize}))
"""
_IMPORT = """
import importlib, json, sys, time
began = time.perf_counter()
importlib.import_module(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - began}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(REPO), "GOOGLE_CLOUD_PROJECT": "grantmatch-bench"})
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _child(code: str, *args: str, importtime: bool = False) -> tuple[dict[str, Any], str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def importtime_by_package(stderr: str) -> dict[str, float]:
    """Seconds of import time per top-level package, from `-X importtime` output (the
    self times of every module, summed under its first name component)."""
    totals: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].split(":")[1].strip().isdigit():
            continue  # the header line
        self_us = int(parts[0].split(":")[1])
        name = parts[2].strip()
        package = name.split(".")[0]
        if package == "google" and name.count(".") >= 2:
            package = ".".join(name.split(".")[:3])  # google.cloud.firestore_v1, ...
        totals[package] = totals.get(package, 0) + self_us
    return {name: us / 1e6 for name, us in sorted(totals.items(), key=lambda item: -item[1])}


def _median(values: Iterable[float]) -> float:
    return round(statistics.median(values), 4)


def measure(runs: int) -> dict[str, Any]:
    """Median import times of every function and library; what each function loads."""
    functions = {}
    for name in FUNCTIONS:
        path = str(REPO / "functions" / name / "main.py")
        samples = [_child(_LOAD_MAIN, path, ",".join(WATCHED))[0] for _ in range(runs)]
        _, trace = _child(_LOAD_MAIN, path, ",".join(WATCHED), importtime=True)
        by_package = importtime_by_package(trace)
        functions[name] = {
            "import_seconds": _median(s["seconds"] for s in samples),
            "modules": samples[0]["modules"],
            "heavy_libraries_loaded": samples[0]["loaded"],
            "clients_created_at_import": samples[0]["clients_created"],
            "top_packages_seconds": {k: round(v, 4) for k, v in list(by_package.items())[:8]},
        }
    libraries = {
        lib: _median(_child(_IMPORT, lib)[0]["seconds"] for _ in range(runs)) for lib in LIBRARIES
    }
    return {"runs": runs, "functions": functions, "libraries": libraries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    print(json.dumps(measure(parser.parse_args().runs), indent=2))


if __name__ == "__main__":
    main()
