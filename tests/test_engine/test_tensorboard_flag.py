"""tools/train.py --tensorboard: TensorboardVisBackend next to LocalVisBackend, or a clear
error without the tensorboard package. No training is started."""
import importlib.util
from types import SimpleNamespace

import pytest
from mmengine.config import Config

from attn_plugins.engine import launch
from attn_plugins.engine.launch import add_tensorboard_backend
from tests.conftest import REPO_ROOT

CONFIG = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
LOCAL, TENSORBOARD = dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')


@pytest.fixture
def tensorboard_installed(monkeypatch):
    """find_spec answers for tensorboard as if it were installed (it need not be)."""
    real = launch.find_spec
    monkeypatch.setattr(launch, 'find_spec', lambda name: SimpleNamespace(name=name)
                        if name == 'tensorboard' else real(name))


def train_tool():
    spec = importlib.util.spec_from_file_location('train_tool', REPO_ROOT / 'tools/train.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backend_is_appended_once_and_local_kept(tensorboard_installed):
    cfg = launch.load_config(str(REPO_ROOT / CONFIG))
    add_tensorboard_backend(cfg)
    add_tensorboard_backend(cfg)
    assert cfg.visualizer.type == 'UniversalVisualizer'
    assert cfg.visualizer.vis_backends == [LOCAL, TENSORBOARD]
    assert cfg.vis_backends == [LOCAL]  # the config's own list is not changed in place

    bare = Config(dict(model=dict(type='MoCo')))
    add_tensorboard_backend(bare)
    assert bare.visualizer == dict(type='Visualizer', vis_backends=[LOCAL, TENSORBOARD])


def test_train_flag_sets_the_backend(tensorboard_installed, tmp_path):
    tool = train_tool()
    args = tool.parse_args([CONFIG, '--tensorboard', '--work-dir', str(tmp_path)])
    cfg = tool.merge_args(launch.load_config(str(REPO_ROOT / CONFIG)), args)
    assert cfg.visualizer.vis_backends == [LOCAL, TENSORBOARD]
    args = tool.parse_args([CONFIG, '--work-dir', str(tmp_path)])
    cfg = tool.merge_args(launch.load_config(str(REPO_ROOT / CONFIG)), args)
    assert cfg.visualizer.vis_backends == [LOCAL]


def test_missing_tensorboard_says_what_to_install(monkeypatch):
    monkeypatch.setattr(launch, 'find_spec', lambda name: None)
    cfg = launch.load_config(str(REPO_ROOT / CONFIG))
    with pytest.raises(SystemExit, match='pip install tensorboard'):
        add_tensorboard_backend(cfg)
    assert cfg.visualizer.vis_backends == [LOCAL]
