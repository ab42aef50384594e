"""Shared test fixtures.

Real datasets live beside the repository in ``../shared/data`` (override with
``ATTN_DATA_ROOT``). Tests that need one skip with the reason when it is absent, except under
CI (``CI=true``), where the data is always present and its absence is a failure.
"""
import ast
import doctest
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_ROOT = Path(os.environ.get('ATTN_DATA_ROOT', REPO_ROOT.parent / 'shared' / 'data'))


def shared_data_path(name: str) -> Path:
    """Path of ``name`` under the shared data root, or skip (fail under CI) if absent."""
    path = DATA_ROOT / name
    if not path.exists():
        reason = (f'{path} not found: this test needs the shared dataset {name!r} '
                  '(set ATTN_DATA_ROOT to the folder holding it)')
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data():
    """Factory fixture: ``shared_data('bsds500')`` -> Path, skipping when absent."""
    return shared_data_path


def run_tool(args, cwd=REPO_ROOT, env=None, timeout=900, check=True):
    """Run ``python <args>`` like a user would, from the repository root.

    Returns the completed process; on failure (with ``check``) the assertion shows the
    command's output.
    """
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO_ROOT), full_env.get('PYTHONPATH', '')]).rstrip(os.pathsep)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, (
            f'command failed ({proc.returncode}): {" ".join(map(str, args))}\n'
            f'--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}')
    return proc


def load_tool(name: str):
    """A tool as a module, to call its functions in this process (no second start-up).

    Args:
        name (str): Its path under tools/ without ``.py`` (``'train'``,
            ``'analysis/saliency_baselines'``).

    Returns:
        module: The executed module (not added to ``sys.modules``).
    """
    spec = importlib.util.spec_from_file_location(name.split('/')[-1],
                                                  REPO_ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_doctests(module, optionflags: int = 0) -> None:
    """Run ``module``'s docstring examples; there must be some, and all must pass."""
    result = doctest.testmod(module, optionflags=optionflags)
    assert result.attempted > 0
    assert result.failed == 0


def top_level_imports(paths) -> set:
    """The top-level packages the files at ``paths`` import absolutely (``import x.y`` and
    ``from x.y import z`` give ``x``); relative imports are left out."""
    imported = set()
    for path in paths:
        for node in ast.walk(ast.parse(Path(path).read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split('.')[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split('.')[0])
    return imported
