"""The method's pure core: its docstring examples run, and it imports no framework."""
import ast
import doctest
import importlib
import sys
from pathlib import Path

import pytest

import attn_plugins.teacher as teacher
from tests.conftest import run_doctests

CORE = ('losses', 'heads', 'saliency_net', 'default')


@pytest.mark.parametrize('module', CORE)
def test_docstring_examples(module):
    mod = importlib.import_module(f'attn_plugins.teacher.{module}')
    run_doctests(mod, doctest.NORMALIZE_WHITESPACE)


def test_core_imports_only_torch_and_the_saliency_core():
    """CONTRIBUTING: a method folder's __init__ exports only pure pieces (torch, numpy)."""
    allowed = {'numpy', 'torch'} | set(sys.stdlib_module_names)
    folder = Path(teacher.__file__).parent
    for name in ('__init__', *CORE):
        for node in ast.walk(ast.parse((folder / f'{name}.py').read_text())):
            if isinstance(node, ast.Import):
                assert {a.name.split('.')[0] for a in node.names} <= allowed, name
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    assert node.module.split('.')[0] in allowed, name
                else:  # relative: the method's own core, or the shared saliency core
                    assert node.level == 1 and (node.module or '') in CORE \
                        or node.level == 2 and node.module == 'saliency', (name, node.module)
