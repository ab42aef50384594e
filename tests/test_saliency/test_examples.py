"""The saliency core: its docstring examples run, and it imports no framework."""
import ast
import doctest
import importlib
import sys
from pathlib import Path

import pytest

import attn_plugins.saliency as saliency


@pytest.mark.parametrize('module', ['maps', 'losses', 'crops'])
def test_docstring_examples(module):
    mod = importlib.import_module(f'attn_plugins.saliency.{module}')
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_core_imports_only_numpy_torch_scipy():
    """CONTRIBUTING: the core imports torch, numpy and scipy (PIL only to recognise images)."""
    allowed = {'numpy', 'torch', 'scipy', 'PIL'} | set(sys.stdlib_module_names)
    imported = set()
    for path in Path(saliency.__file__).parent.glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split('.')[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split('.')[0])
    assert imported - allowed == set()
    assert {'numpy', 'torch', 'scipy'} <= imported
