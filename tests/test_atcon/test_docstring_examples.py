"""The ATCON core: its docstring examples run, and it imports no framework."""
import doctest
import sys
from pathlib import Path

import pytest

from attn_plugins.atcon import collapse, consistency, few_shot, localization
from tests.conftest import run_doctests, top_level_imports

CORE = (collapse, consistency, few_shot, localization)


@pytest.mark.parametrize('module', CORE, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    run_doctests(module, doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)


def test_core_imports_only_torch_numpy_scipy():
    """CONTRIBUTING: the pure modules of a method import no mm* package and no registry."""
    allowed = {'numpy', 'torch', 'scipy'} | set(sys.stdlib_module_names)
    paths = [Path(m.__file__) for m in CORE] + [Path(consistency.__file__).with_name(
        '__init__.py')]
    imported = top_level_imports(paths)
    assert imported - allowed == set()
