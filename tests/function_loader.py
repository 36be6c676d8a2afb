"""Load a function's main.py in-process under a unique module name.

functions-framework loads every source as the module `main`; several of them in one
pytest process would collide in sys.modules, so tests give each its own name.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from dev.services import REPO


def load_function(name: str) -> ModuleType:
    """The module object of functions/<name>/main.py (loaded once per session)."""
    module_name = f"gm_function_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(
        module_name, REPO / "functions" / name / "main.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
