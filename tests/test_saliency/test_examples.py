"""The saliency core: its docstring examples run, and it imports no framework."""
import doctest
import importlib
import sys
from pathlib import Path

import pytest

import attn_plugins.saliency as saliency
from tests.conftest import run_doctests, top_level_imports


@pytest.mark.parametrize('module', ['maps', 'metrics', 'losses', 'crops', 'estimators'])
def test_docstring_examples(module):
    mod = importlib.import_module(f'attn_plugins.saliency.{module}')
    run_doctests(mod, doctest.NORMALIZE_WHITESPACE)


def test_core_imports_only_numpy_torch_scipy():
    """CONTRIBUTING: the core imports torch, numpy and scipy (PIL only to recognise images)."""
    allowed = {'numpy', 'torch', 'scipy', 'PIL'} | set(sys.stdlib_module_names)
    imported = top_level_imports(Path(saliency.__file__).parent.glob('*.py'))
    assert imported - allowed == set()
    assert {'numpy', 'torch', 'scipy'} <= imported
