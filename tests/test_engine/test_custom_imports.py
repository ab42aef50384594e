"""`custom_imports = dict(imports=['attn_plugins'])` makes the plugin's components available
to configs of each OpenMMLab scope, in a process that never imported attn_plugins itself."""
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

BUILD = '''
import sys
from mmengine.config import Config
from mmengine.registry import init_default_scope
assert 'attn_plugins' not in sys.modules
cfg = Config.fromfile(sys.argv[1])  # runs custom_imports
init_default_scope(cfg.default_scope)
from {scope}.registry import MODELS
model = MODELS.build(cfg.model)
print(type(model).__module__, type(model).__name__)
'''


@pytest.mark.parametrize('scope,package', [('mmpretrain', 'mmpretrain'), ('mmdet', 'mmdet'),
                                           ('mmseg', 'mmseg')])
def test_config_names_a_plugin_backbone_in_each_scope(tmp_path, scope, package):
    config = tmp_path / f'{scope}_config.py'
    config.write_text(
        f'default_scope = {scope!r}\n'
        "custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)\n"
        "model = dict(type='VARSVisionTransformer', img_size=32, patch_size=8,\n"
        '             arch=dict(embed_dims=32, num_layers=1, num_heads=2,\n'
        '                       feedforward_channels=64))\n')
    proc = subprocess.run([sys.executable, '-c', BUILD.format(scope=package), str(config)],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split()[-2:] == ['attn_plugins.vars.backbones', 'VARSVisionTransformer']
