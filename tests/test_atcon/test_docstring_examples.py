"""The ATCON core: its docstring examples run, and it imports no framework."""
import ast
import doctest
import sys
from pathlib import Path

import pytest

from attn_plugins.atcon import consistency, few_shot, localization

CORE = (consistency, few_shot, localization)


@pytest.mark.parametrize('module', CORE, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_core_imports_only_torch_numpy_scipy():
    """CONTRIBUTING: the pure modules of a method import no mm* package and no registry."""
    allowed = {'numpy', 'torch', 'scipy'} | set(sys.stdlib_module_names)
    paths = [Path(m.__file__) for m in CORE] + [Path(consistency.__file__).with_name(
        '__init__.py')]
    imported = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split('.')[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split('.')[0])
    assert imported - allowed == set()
