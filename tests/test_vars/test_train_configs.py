"""The VARS configs: full-scale ones parse, CPU-size ones train through tools/train.py."""
import glob
import json
import math
from pathlib import Path

import pytest
import torch

pytest.importorskip('mmpretrain')

from mmengine.config import Config  # noqa: E402

from tests.conftest import REPO_ROOT, run_tool  # noqa: E402

CONFIGS = REPO_ROOT / 'configs' / 'vars'
CLS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'
MOCO_CPU = 'configs/vars/mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k_cpu.py'
SEG_CPU = 'configs/vars/fcn_vars-d-vit-small-p16_4xb4-20k_camvid-352x480_cpu.py'
CALTECH_CPU = 'configs/vars/vars-d_vit-tiny-p4_1xb64-coslr-30e_caltech101-32px_cpu.py'


def in_process_loading(*loaders):
    """--cfg-options that load data in the main process (fast start for a few iterations)."""
    return [f'{loader}.{key}' for loader in loaders
            for key in ('num_workers=0', 'persistent_workers=False')]


QUIET_LOADERS = in_process_loading('train_dataloader', 'val_dataloader', 'test_dataloader')


def logged_losses(work_dir):
    """``loss`` values of every logged training iteration."""
    (scalars, ) = glob.glob(str(Path(work_dir) / '*' / 'vis_data' / 'scalars.json'))
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    return [r['loss'] for r in records if 'loss' in r], records


def test_every_full_config_has_a_cpu_sibling_and_parses():
    full = [p for p in CONFIGS.glob('*.py') if not p.name.endswith('_cpu.py')]
    assert len(full) == 3
    # one more CPU scale: the VARS experiment's, on Caltech-101
    assert len(list(CONFIGS.glob('*_cpu.py'))) == 4 and (REPO_ROOT / CALTECH_CPU).is_file()
    for path in full:
        sibling = path.with_name(path.stem + '_cpu.py')
        assert sibling.exists(), sibling
        for cfg in (Config.fromfile(path), Config.fromfile(sibling)):
            assert cfg.custom_imports == dict(imports=['attn_plugins'],
                                              allow_failed_imports=False)


@pytest.mark.parametrize('name', [
    'vars-d_vit-small-p16_8xb128-300e_in1k.py',
    'mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py',
    'fcn_vars-d-vit-small-p16_4xb4-20k_camvid-352x480.py',
])
def test_full_scale_models_build(name):
    import attn_plugins  # noqa: F401  (registers the backbone)
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(CONFIGS / name)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'VARSVisionTransformer'
    assert model.backbone.embed_dims == 384 and len(model.backbone.layers) == 12


def test_classification_cpu_config_trains(tmp_path, shared_data):
    shared_data('bccd')
    work = tmp_path / 'cls'
    run_tool(['tools/train.py', CLS_CPU, '--work-dir', work, '--cfg-options', *QUIET_LOADERS,
              'train_dataloader.dataset.max_per_class=6', 'train_dataloader.batch_size=6',
              'val_dataloader.dataset.max_per_class=4', 'train_cfg.max_epochs=2',
              'train_cfg.val_interval=2', 'default_hooks.logger.interval=1'])
    losses, records = logged_losses(work)
    assert len(losses) == 6 and all(math.isfinite(loss) for loss in losses)
    assert any('accuracy/top1' in r for r in records)


def test_caltech_cpu_config_trains_and_tests_as_ssl_eval_sees_the_images(tmp_path,
                                                                         shared_data):
    from attn_plugins.evaluation.frozen import evaluation_pipeline

    shared_data('caltech101')
    cfg = Config.fromfile(REPO_ROOT / CALTECH_CPU)
    assert cfg.test_dataloader.dataset.pipeline == evaluation_pipeline(32)
    assert cfg.model.backbone.arch.embed_dims == 96 and cfg.model.head.num_classes == 101
    work = tmp_path / 'caltech'
    run_tool(['tools/train.py', CALTECH_CPU, '--work-dir', work, '--cfg-options',
              *QUIET_LOADERS, 'train_dataloader.dataset.indices=12',
              'train_dataloader.batch_size=6', 'val_dataloader.dataset.indices=4',
              'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
              'default_hooks.logger.interval=1'])
    losses, records = logged_losses(work)
    assert len(losses) == 4 and all(math.isfinite(loss) for loss in losses)
    assert any('accuracy/top1' in r and 'accuracy/top5' in r for r in records)


def test_mocov3_cpu_config_trains(tmp_path, shared_data):
    shared_data('bsds500'), shared_data('osie')
    work = tmp_path / 'moco'
    run_tool(['tools/train.py', MOCO_CPU, '--work-dir', work, '--cfg-options',
              *in_process_loading('train_dataloader'),
              'train_dataloader.dataset.indices=16', 'train_dataloader.batch_size=8',
              'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1'])
    losses, _ = logged_losses(work)
    assert len(losses) == 2 and all(math.isfinite(loss) for loss in losses)


def test_segmentation_transfer_starts_from_a_pretrained_backbone(tmp_path, shared_data):
    shared_data('camvid')
    import attn_plugins  # noqa: F401  (registers the backbone)
    from mmseg.registry import MODELS

    # A "pretrained" checkpoint: the backbone's weights under the `backbone.` prefix.
    torch.manual_seed(123)  # not the run's seed: its own random features would differ
    backbone = MODELS.build(Config.fromfile(REPO_ROOT / SEG_CPU).model.backbone)
    checkpoint = tmp_path / 'pretrained.pth'
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in backbone.state_dict().items()}),
               checkpoint)
    work = tmp_path / 'seg'
    run_tool(['tools/train.py', SEG_CPU, '--work-dir', work, '--cfg-options', *QUIET_LOADERS,
              'model.backbone.init_cfg._delete_=True', 'model.backbone.init_cfg.type=Pretrained',
              f'model.backbone.init_cfg.checkpoint={checkpoint}',
              'model.backbone.init_cfg.prefix=backbone.', 'train_dataloader.batch_size=2',
              'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
              'val_dataloader.dataset.indices=2', 'default_hooks.logger.interval=1'])
    losses, records = logged_losses(work)
    assert len(losses) == 2 and all(math.isfinite(loss) for loss in losses)
    assert any('mIoU' in r for r in records)
    # The frozen random features cannot change in training: they came from the checkpoint.
    trained = torch.load(work / 'iter_2.pth', map_location='cpu', weights_only=True)
    key = 'backbone.layers.0.attn.rand_proj'
    assert torch.equal(trained['state_dict'][key], backbone.state_dict()[key[9:]])
