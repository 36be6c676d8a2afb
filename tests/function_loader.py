"""Load a function's main.py in-process under a unique module name.

functions-framework loads every source as the module `main`; several of them in one
pytest process would collide in sys.modules, so tests give each its own name. (The ingest
function's app is built by `shared.web.app.create_app`: tests call the factory instead.)
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from dev.services import REPO


def load_function(name: str) -> ModuleType:
    """The module object of functions/<name>/main.py (loaded once per process)."""
    module_name = f"gm_function_{name}"
    loaded = sys.modules.get(module_name)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(
        module_name, REPO / "functions" / name / "main.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
