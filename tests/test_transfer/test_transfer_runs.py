"""Pretrain -> tools/train.py --pretrained -> tools/test.py, on the CPU transfer configs."""
import glob
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pytest.importorskip('mmdet')
pytest.importorskip('mmseg')

from mmengine.config import Config  # noqa: E402

from tests.conftest import REPO_ROOT, run_tool, shared_data_path  # noqa: E402
from tests.test_engine.test_train_tools import free_port  # noqa: E402
from tests.test_transfer.common import (DET_CONFIGS, SEG_CONFIGS, assert_loaded,  # noqa: E402
                                        build_model)

MOCO_CPU = 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'
C4_BCCD = f'{DET_CONFIGS}/faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py'
FCN_CAMVID = f'{SEG_CONFIGS}/fcn_r18-d8_1xb8-200i_camvid-96x128_cpu.py'
VARS_BCCD = f'{DET_CONFIGS}/faster-rcnn_vars-d-vit-tiny-p4-mln_1xb4-300i_bccd-320_cpu.py'
VARS_CLS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'


def in_process(*loaders):
    """--cfg-options that load data in the main process (fast start for a few iterations)."""
    return [f'{loader}.{key}' for loader in loaders
            for key in ('num_workers=0', 'persistent_workers=False')]


# Two iterations of two images at 160x120, four test images, fewer RoIs.
DET_SMALL = [
    *in_process('train_dataloader', 'test_dataloader'), 'train_dataloader.batch_size=2',
    'model.train_cfg.rcnn.sampler.num=32', 'model.test_cfg.rpn.max_per_img=50',
    'train_dataloader.dataset.pipeline.2.scale=(160,120)',
    'test_dataloader.dataset.pipeline.1.scale=(160,120)', 'test_dataloader.dataset.indices=4',
    'train_cfg.max_iters=2', 'default_hooks.logger.interval=1',
]
SEG_SMALL = [
    *in_process('train_dataloader', 'test_dataloader'), 'train_dataloader.batch_size=2',
    'test_dataloader.dataset.indices=2', 'train_cfg.max_iters=2',
    'default_hooks.logger.interval=1',
]


def probed(config, tmp_path, imports=()):
    """``config`` plus the test-only ProbeHook, which saves the model state at before_train
    (after the pretrained weights are loaded, before the first step)."""
    path = tmp_path / f'probed_{Path(config).name}'
    base = Config.fromfile(REPO_ROOT / config)
    all_imports = [*base.custom_imports['imports'], 'tests.test_engine.probe_hooks', *imports]
    path.write_text(
        f'_base_ = [{str(REPO_ROOT / config)!r}]\n'
        f'custom_imports = dict(imports={all_imports!r}, allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='mmpretrain.ProbeHook')]\n")
    return path


def weights(path):
    import attn_plugins  # noqa: F401  (allow-lists mmengine's checkpoint classes)
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


@pytest.fixture(scope='module')
def moco_checkpoint(tmp_path_factory):
    """Two iterations of the CPU MoCo v2 pretraining (ResNet-18) through tools/train.py."""
    shared_data_path('bsds500'), shared_data_path('osie')
    work = tmp_path_factory.mktemp('pretrain')
    run_tool(['tools/train.py', MOCO_CPU, '--work-dir', work, '--cfg-options',
              *in_process('train_dataloader'), 'train_dataloader.dataset.indices=16',
              'train_dataloader.batch_size=8', 'model.queue_len=16', 'train_cfg.max_epochs=1'])
    return work / 'epoch_1.pth'


def test_detection_transfer_loads_trains_and_reports_map(moco_checkpoint, shared_data,
                                                         tmp_path):
    shared_data('bccd')
    work = tmp_path / 'det'
    run_tool(['tools/train.py', probed(C4_BCCD, tmp_path), '--work-dir', work,
              '--pretrained', moco_checkpoint, '--no-validate', '--cfg-options', *DET_SMALL])
    pretrained = weights(moco_checkpoint)
    # Before the first step: backbone (stages 1-3) and res5 head (layer4) hold exactly the
    # pretrained backbone.* tensors, every one of them.
    probe = torch.load(work / 'probe_before_train.pth', map_location='cpu', weights_only=False)
    assert_loaded(probe['model'], pretrained)
    # Two steps later they have moved.
    final = weights(work / 'iter_2.pth')
    assert not torch.equal(final['roi_head.shared_head.layer4.0.conv1.weight'],
                           pretrained['backbone.layer4.0.conv1.weight'])

    metrics_file = tmp_path / 'metrics.json'
    run_tool(['tools/test.py', C4_BCCD, work / 'iter_2.pth', '--work-dir', tmp_path / 'test',
              '--out', metrics_file, '--out-item', 'metrics', '--cfg-options', *DET_SMALL])
    metrics = json.loads(metrics_file.read_text())
    for key in ('pascal_voc/mAP', 'pascal_voc/AP50', 'pascal_voc/AP75'):
        assert math.isfinite(metrics[key]) and 0 <= metrics[key] <= 1, (key, metrics)


def test_dist_train_transfers_on_two_processes(moco_checkpoint, shared_data, tmp_path):
    """tools/dist_train.sh with a transfer config and --pretrained: two gloo processes."""
    shared_data('bccd')
    work = tmp_path / 'dist'
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', C4_BCCD, '2', '--work-dir', str(work), '--pretrained',
         str(moco_checkpoint), '--no-validate', '--cfg-options', *DET_SMALL],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    (log, ) = work.glob('*/*.log')
    text = log.read_text()
    assert 'Distributed training: True' in text and 'GPU number: 2' in text
    # Each process reads the checkpoint three times: --pretrained's check that it holds
    # backbone.* weights, then the loads into the backbone and into the res5 head.
    output = proc.stdout + proc.stderr
    assert output.count(f'Loads checkpoint by local backend from path: {moco_checkpoint}') == 6
    # Rank 0 saved the trained detector once; its res5 head moved away from the pretrained
    # layer4 it started from.
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_2.pth']
    res5 = 'layer4.0.conv1.weight'
    assert not torch.equal(weights(work / 'iter_2.pth')[f'roi_head.shared_head.{res5}'],
                           weights(moco_checkpoint)[f'backbone.{res5}'])


def test_segmentation_transfer_loads_trains_and_reports_miou(moco_checkpoint, shared_data,
                                                             tmp_path):
    shared_data('camvid')
    work = tmp_path / 'seg'
    run_tool(['tools/train.py', probed(FCN_CAMVID, tmp_path), '--work-dir', work,
              '--pretrained', moco_checkpoint, '--no-validate', '--cfg-options', *SEG_SMALL])
    probe = torch.load(work / 'probe_before_train.pth', map_location='cpu', weights_only=False)
    assert_loaded(probe['model'], weights(moco_checkpoint))

    metrics_file = tmp_path / 'metrics.json'
    run_tool(['tools/test.py', FCN_CAMVID, work / 'iter_2.pth', '--work-dir', tmp_path / 'test',
              '--out', metrics_file, '--out-item', 'metrics', '--cfg-options', *SEG_SMALL])
    metrics = json.loads(metrics_file.read_text())
    assert math.isfinite(metrics['mIoU']) and 0 <= metrics['mIoU'] <= 100, metrics


def test_vars_detection_config_transfers_and_trains(shared_data, tmp_path):
    shared_data('bccd')
    # A VARS-D ViT of the CPU VARS configs (32 px, 4x4 patches), weights drawn at random.
    model = build_model(Config.fromfile(REPO_ROOT / VARS_CLS_CPU))
    for param in model.parameters():
        param.data.normal_()
    checkpoint = tmp_path / 'vars_cls.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)

    work = tmp_path / 'vars'
    run_tool(['tools/train.py', probed(VARS_BCCD, tmp_path), '--work-dir', work,
              '--pretrained', checkpoint, '--no-validate', '--cfg-options', *DET_SMALL,
              'train_cfg.max_iters=1'])
    loaded = torch.load(work / 'probe_before_train.pth', map_location='cpu',
                        weights_only=False)['model']
    # The position embedding is interpolated from the 8x8 grid to the 60x80 one on loading;
    # every other backbone tensor is the pretrained one.
    pretrained = model.state_dict()
    assert loaded['backbone.pos_embed'].shape == (1, 1 + 60 * 80, 96)
    del pretrained['backbone.pos_embed'], loaded['backbone.pos_embed']
    assert_loaded(loaded, pretrained)
    (scalars, ) = glob.glob(str(work / '*' / 'vis_data' / 'scalars.json'))
    losses = [json.loads(line)['loss'] for line in open(scalars)]
    assert len(losses) == 1 and math.isfinite(losses[0])
