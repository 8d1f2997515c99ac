"""Load the add-on's pure modules straight from their files.

They import nothing from Odoo, so these tests run with plain pytest in a second:
``python -m pytest tests/unit``.
"""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLS = ROOT / "cobranca_addon" / "tools"


def load_tool(name):
    spec = importlib.util.spec_from_file_location(f"cobranca_tools_{name}", TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def regua():
    return load_tool("regua")
