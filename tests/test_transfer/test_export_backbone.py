"""tools/export_backbone.py: a slim, weights-only checkpoint of the backbone."""
import subprocess
import sys

import numpy as np
import pytest
import torch

pytest.importorskip('mmdet')

from mmengine.config import Config  # noqa: E402

from attn_plugins.engine.transfer import set_pretrained  # noqa: E402
from tests.conftest import REPO_ROOT, load_tool, run_tool  # noqa: E402
from tests.test_transfer.common import DET_CONFIGS, assert_loaded, build_model  # noqa: E402

PRETRAIN = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
C4_CPU = f'{DET_CONFIGS}/faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py'


@pytest.fixture(scope='module')
def moco_checkpoint(tmp_path_factory):
    """A MoCo v2 ResNet-18 checkpoint as mmengine saves it (random weights, numpy meta)."""
    model = build_model(Config.fromfile(REPO_ROOT / PRETRAIN))
    torch.manual_seed(0)
    for param in model.parameters():
        param.data.normal_()
    path = tmp_path_factory.mktemp('export') / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1, seed=np.int64(0)), state_dict=model.state_dict(),
                    message_hub=dict(log_scalars={'loss': np.float64(1.0)})), path)
    return path, model.state_dict()


def load_in_fresh_python(path):
    """Key names and weights-only loadability, checked by a python without attn_plugins."""
    code = ('import sys, torch; s = torch.load(sys.argv[1], weights_only=True); '
            'assert all(isinstance(v, torch.Tensor) for v in s.values()); print(len(s))')
    out = subprocess.run([sys.executable, '-c', code, str(path)], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.strip())


def test_export_strips_the_prefix_and_keeps_only_backbone_tensors(moco_checkpoint, tmp_path):
    path, state_dict = moco_checkpoint
    out = tmp_path / 'slim' / 'backbone.pth'
    proc = run_tool(['tools/export_backbone.py', path, out])
    backbone = {k[len('backbone.'):]: v for k, v in state_dict.items()
                if k.startswith('backbone.')}
    assert f'{len(backbone)} tensors' in proc.stdout
    assert load_in_fresh_python(out) == len(backbone)
    slim = torch.load(out, weights_only=True)
    assert list(slim) == list(backbone)
    for key, value in backbone.items():
        assert torch.equal(slim[key], value), key
    # A plain mmpretrain ResNet-18 takes it with strict loading.
    from mmpretrain.models import ResNet
    ResNet(depth=18).load_state_dict(slim, strict=True)

    # The slim file as a transfer checkpoint: no prefix, and the C4 head finds its layer4.
    cfg = Config.fromfile(REPO_ROOT / C4_CPU)
    set_pretrained(cfg, str(out), prefix='')
    detector = build_model(cfg)
    detector.init_weights()
    assert_loaded(detector.state_dict(), state_dict)


def test_export_keep_prefix_and_errors(moco_checkpoint, tmp_path):
    path, state_dict = moco_checkpoint
    tool = load_tool('export_backbone')  # as a module; the tests above run it as a command
    out = tmp_path / 'keep.pth'
    tool.main([str(path), str(out), '--keep-prefix'])
    slim = torch.load(out, weights_only=True)
    assert list(slim) == [k for k in state_dict if k.startswith('backbone.')]
    # Another prefix: the momentum encoder's backbone (an EMA wrapper of backbone + neck).
    momentum = tool.extract_backbone(str(path), prefix='encoder_k.module.0')
    assert [f'backbone.{k}' for k in momentum] == list(slim)

    with pytest.raises(ValueError, match=r"no weights under the prefix 'head\.' \(its keys "
                       r"start with \['backbone', 'encoder_k', 'neck', 'queue', 'queue_ptr'\]"):
        tool.main([str(path), str(tmp_path / 'x.pth'), '--prefix', 'head'])
    assert not (tmp_path / 'x.pth').exists()
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        tool.main([str(tmp_path / 'missing.pth'), str(out)])
