"""tools/train.py --tensorboard / --wandb: mmengine's backend next to LocalVisBackend, or a
clear error without the package. No training is started."""
from types import SimpleNamespace

import pytest
from mmengine.config import Config

from attn_plugins.engine import launch
from attn_plugins.engine.launch import add_vis_backend
from tests.conftest import REPO_ROOT, load_tool

CONFIG = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
LOCAL, TENSORBOARD = dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')


@pytest.fixture
def packages_installed(monkeypatch):
    """find_spec answers for tensorboard and wandb as if installed (they need not be)."""
    real = launch.find_spec
    monkeypatch.setattr(launch, 'find_spec', lambda name: SimpleNamespace(name=name)
                        if name in ('tensorboard', 'wandb') else real(name))


def test_backend_is_appended_once_and_local_kept(packages_installed):
    cfg = launch.load_config(str(REPO_ROOT / CONFIG))
    add_vis_backend(cfg, 'tensorboard')
    add_vis_backend(cfg, 'tensorboard')
    assert cfg.visualizer.type == 'UniversalVisualizer'
    assert cfg.visualizer.vis_backends == [LOCAL, TENSORBOARD]
    assert cfg.vis_backends == [LOCAL]  # the config's own list is not changed in place

    bare = Config(dict(model=dict(type='MoCo')))
    add_vis_backend(bare, 'tensorboard')
    assert bare.visualizer == dict(type='Visualizer', vis_backends=[LOCAL, TENSORBOARD])


def test_train_flags_set_the_backends(packages_installed, tmp_path):
    tool = load_tool('train')
    work_dir = tmp_path / 'my_run'
    args = tool.parse_args([CONFIG, '--tensorboard', '--wandb', '--wandb-project', 'proj',
                            '--work-dir', str(work_dir)])
    cfg = tool.merge_args(launch.load_config(str(REPO_ROOT / CONFIG)), args)
    assert cfg.visualizer.vis_backends == [
        LOCAL, TENSORBOARD,
        dict(type='WandbVisBackend', init_kwargs=dict(project='proj', name='my_run'))]
    args = tool.parse_args([CONFIG, '--work-dir', str(tmp_path)])
    cfg = tool.merge_args(launch.load_config(str(REPO_ROOT / CONFIG)), args)
    assert cfg.visualizer.vis_backends == [LOCAL]


def test_wandb_backend_is_mmengines(packages_installed):
    """The appended type is a backend mmengine's registry builds."""
    from mmengine.registry import VISBACKENDS
    from mmengine.visualization import WandbVisBackend

    cfg = Config(dict(model=dict(type='MoCo')))
    add_vis_backend(cfg, 'wandb', dict(project='p'))
    assert VISBACKENDS.get(cfg.visualizer.vis_backends[-1]['type']) is WandbVisBackend


@pytest.mark.parametrize('name', ['tensorboard', 'wandb'])
def test_missing_package_says_what_to_install(monkeypatch, name):
    monkeypatch.setattr(launch, 'find_spec', lambda package: None)
    cfg = launch.load_config(str(REPO_ROOT / CONFIG))
    with pytest.raises(SystemExit, match=f'--{name} needs .* pip install {name}'):
        add_vis_backend(cfg, name)
    assert cfg.visualizer.vis_backends == [LOCAL]


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown visualizer backend 'neptune'"):
        add_vis_backend(Config(dict()), 'neptune')
