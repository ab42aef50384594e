"""`import attn_plugins` registers the plugin; the core works without OpenMMLab."""
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_import_registers_components():
    import attn_plugins  # noqa: F401
    from attn_plugins.data import ImageFolder
    from mmpretrain.registry import DATASETS

    assert DATASETS.get('ImageFolder') is ImageFolder


def test_import_has_no_side_effects_beyond_registration(tmp_path):
    """Importing writes no files and leaves mmengine's default scope alone."""
    code = ('import os, attn_plugins; from mmengine.registry import DefaultScope; '
            'assert DefaultScope.get_current_instance() is None; '
            'print(sorted(os.listdir(".")))')
    proc = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '[]'


CORE_MODULES = ['attn_plugins.saliency', 'attn_plugins.attention', 'attn_plugins.probes']


def test_core_imports_without_openmmlab(tmp_path):
    """With no mm* package importable, the package and its pure-torch core import, and
    nothing of OpenMMLab is loaded."""
    visible = tmp_path / 'site'
    visible.mkdir()
    # every site-packages folder on the path: the clone's .venv and the shared environment
    for site in (Path(p) for p in sys.path if p.endswith('site-packages')):
        for entry in site.iterdir() if site.is_dir() else ():
            if not entry.name.lower().startswith(('mmcv', 'mmengine', 'mmpretrain', 'mmdet',
                                                  'mmseg', '__editable__', 'attn_plugins')) \
                    and not (visible / entry.name).exists():
                (visible / entry.name).symlink_to(entry)
    code = ('import importlib, sys, attn_plugins; '
            f'[importlib.import_module(m) for m in {CORE_MODULES!r}]; '
            'print(sorted(m for m in sys.modules if m.split(".")[0] in '
            '("mmcv", "mmengine", "mmpretrain", "mmdet", "mmseg")))')
    proc = subprocess.run(
        [sys.executable, '-S', '-c', code], cwd=tmp_path, capture_output=True, text=True,
        env={'PATH': os.environ['PATH'], 'PYTHONPATH': f'{REPO_ROOT}{os.pathsep}{visible}'})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '[]'
