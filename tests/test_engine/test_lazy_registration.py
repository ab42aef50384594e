"""Registration is lazy and per scope: the core never loads OpenMMLab, `import attn_plugins`
loads nothing of it, a config finds every registered name through `custom_imports`, and an
mmpretrain config registers nothing in (nor loads) another scope."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

OPENMMLAB = ('mmcv', 'mmengine', 'mmpretrain', 'mmdet', 'mmseg', 'lightly')

# A meta-path finder that refuses every OpenMMLab (and lightly) module although they are
# installed: importing one fails loudly instead of being noticed afterwards.
BLOCKER = f'''
import importlib.abc, sys
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {OPENMMLAB!r}:
            raise ImportError('blocked OpenMMLab import: ' + name)
sys.meta_path.insert(0, Blocker())
'''

CORE_PACKAGES = ['attn_plugins', 'attn_plugins.saliency', 'attn_plugins.attention',
                 'attn_plugins.vars', 'attn_plugins.probes', 'attn_plugins.robustness',
                 'attn_plugins.cast', 'attn_plugins.atcon', 'attn_plugins.teacher']


def run_python(code, cwd, *args):
    proc = subprocess.run([sys.executable, '-c', code, *map(str, args)], cwd=cwd,
                          capture_output=True, text=True,
                          env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_core_imports_with_openmmlab_installed_but_blocked(tmp_path):
    code = BLOCKER + (
        'import importlib, torch\n'
        f'for name in {CORE_PACKAGES!r}:\n'
        '    importlib.import_module(name)\n'
        'from attn_plugins.attention import grad_cam\n'
        'from attn_plugins.saliency import nss, SaliencyCropSampler\n'
        'net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),\n'
        '                          torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())\n'
        'cam = grad_cam(net, net[1], torch.rand(2, 3, 8, 8), targets=[0, 1])\n'
        'print(tuple(cam.shape))\n')
    out = run_python(code, tmp_path)
    assert out.strip().splitlines()[-1] == '(2, 6, 6)'  # 3x3 conv on 8 x 8, no padding


def test_import_attn_plugins_loads_no_openmmlab(tmp_path):
    code = ('import sys, attn_plugins\n'
            f'print(sorted(m for m in sys.modules if m.split(".")[0] in {OPENMMLAB!r}))')
    assert run_python(code, tmp_path).strip() == '[]'


def registrations():
    """(registry module, registry name, class name) of every decorator or call that
    registers a class of the package, read from the source, not from the registries."""
    found = []
    for path in sorted((Path(REPO_ROOT) / 'attn_plugins').rglob('*.py')):
        if 'scopes' in path.parts:
            continue  # re-registrations of the VARS backbones, checked below
        tree = ast.parse(path.read_text())
        origin = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or '').endswith('.registry'):
                for alias in node.names:
                    origin[alias.asname or alias.name] = (node.module, alias.name)

        def registry_of(call):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == 'register_module'
                    and isinstance(call.func.value, ast.Name)):
                return origin.get(call.func.value.id)
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for decorator in node.decorator_list:
                    if registry_of(decorator):
                        found.append((*registry_of(decorator), node.name))
            elif isinstance(node, ast.Call) and registry_of(node):
                for keyword in node.keywords:
                    if keyword.arg == 'module' and isinstance(keyword.value, ast.Name):
                        found.append((*registry_of(node), keyword.value.id))
    return found


LOOKUP = '''
import importlib, json, sys
from mmengine.config import Config
cfg = Config.fromfile(sys.argv[1])  # runs custom_imports: the only import of attn_plugins
missing = []
for module, registry, name in json.loads(sys.argv[2]):
    # mmengine's root registries are searched from a scope's child registry, as configs do
    module = 'mmpretrain.registry' if module == 'mmengine.registry' else module
    found = getattr(importlib.import_module(module), registry).get(name)
    if found is None or not found.__module__.startswith('attn_plugins.'):
        missing.append([module, registry, name])
print(json.dumps(missing))
'''


def test_every_registered_name_is_found_through_custom_imports(tmp_path):
    names = registrations()
    assert len(names) > 40  # the scan sees the package's registrations
    scopes = {module.split('.')[0] for module, _, _ in names}
    assert scopes == {'mmengine', 'mmpretrain', 'mmdet'}
    backbones = [(f'{scope}.registry', 'MODELS', name) for scope in ('mmdet', 'mmseg')
                 for name in ('VARSVisionTransformer', 'VARSRVT')]
    config = tmp_path / 'config.py'
    config.write_text("custom_imports = dict(imports=['attn_plugins'], "
                      'allow_failed_imports=False)\n')
    out = run_python(LOOKUP, tmp_path, config, json.dumps(names + backbones))
    assert json.loads(out.strip().splitlines()[-1]) == []


BUILD = '''
import sys
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
cfg = Config.fromfile(sys.argv[1])
init_default_scope(cfg.default_scope)
model = MODELS.build(cfg.model)
print(type(model).__name__)
print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('mm')}))
print(sorted(m for m in sys.modules if m.startswith('attn_plugins.scopes.')))
'''


def test_mmpretrain_config_loads_no_other_scope_than_mmpretrain_itself(tmp_path):
    """A plugin model in an mmpretrain config loads the same OpenMMLab packages as one of
    mmpretrain's own models (mmpretrain.models itself imports mmdet when it is installed),
    and registers nothing for mmdet or mmseg."""
    plain, plugin = tmp_path / 'plain.py', tmp_path / 'plugin.py'
    plain.write_text("default_scope = 'mmpretrain'\n"
                     "model = dict(type='ResNet', depth=18)\n")
    plugin.write_text(
        "default_scope = 'mmpretrain'\n"
        "custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)\n"
        "model = dict(type='VARSVisionTransformer', img_size=32, patch_size=8,\n"
        '             arch=dict(embed_dims=32, num_layers=1, num_heads=2,\n'
        '                       feedforward_channels=64))\n')
    plain_out = run_python(BUILD, tmp_path, plain).strip().splitlines()[-3:]
    plugin_out = run_python(BUILD, tmp_path, plugin).strip().splitlines()[-3:]
    assert plugin_out[0] == 'VARSVisionTransformer'
    assert plugin_out[1] == plain_out[1] and 'mmseg' not in plugin_out[1]
    assert plugin_out[2] == "['attn_plugins.scopes.mmpretrain']"


@pytest.mark.parametrize('scope', ['mmdet', 'mmseg'])
def test_scope_module_registers_eagerly(tmp_path, scope):
    """`custom_imports=['attn_plugins.scopes.<scope>']` registers without the hook."""
    code = ('import importlib, sys\n'
            f'importlib.import_module("attn_plugins.scopes.{scope}")\n'
            f'from {scope}.registry import MODELS\n'
            'print(MODELS.get("VARSRVT").__module__)')
    assert run_python(code, tmp_path).split()[-1] == 'attn_plugins.vars.backbones'
