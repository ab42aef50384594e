"""Linear-probe benchmark configs (configs/benchmarks/classification): the full-scale ones
build mmpretrain's frozen-backbone classifiers; each CPU sibling trains briefly through
tools/train.py --pretrained, with the backbone (BatchNorm statistics included) left exactly
as pretrained and only the linear head learning."""
import json

import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO_ROOT, run_tool
from tests.test_evaluation.conftest import random_backbone_checkpoint

BENCHMARKS = REPO_ROOT / 'configs' / 'benchmarks' / 'classification'
FULL_TO_CPU = {
    'resnet50_8xb32-linear-steplr-100e_in1k.py':
        'resnet18_1xb64-linear-steplr-10e_caltech101-112px_cpu.py',
    'resnet50_8xb16-linear-coslr-30e_voc07.py':
        'resnet18_1xb16-linear-coslr-10e_bccd-96px_cpu.py',
}


@pytest.mark.parametrize('name', list(FULL_TO_CPU) + list(FULL_TO_CPU.values()))
def test_configs_build_a_frozen_backbone_classifier(name):
    import attn_plugins  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    cfg = Config.fromfile(BENCHMARKS / name)
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    model.train()
    assert cfg.model.backbone.frozen_stages == 4
    assert cfg.model.backbone.init_cfg.prefix == 'backbone.'
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert not any(m.training for m in model.backbone.modules()
                   if isinstance(m, torch.nn.BatchNorm2d))
    assert all(p.requires_grad for p in model.head.parameters())
    assert cfg.optim_wrapper.optimizer.weight_decay == 0


def _train(config, tmp_path, options):
    ckpt = tmp_path / 'pretrain.pth'
    pretrained = random_backbone_checkpoint(ckpt, seed=7)
    work_dir = tmp_path / 'work'
    run_tool(['tools/train.py', BENCHMARKS / config, '--work-dir', work_dir,
              '--pretrained', ckpt, '--cfg-options', 'train_cfg.max_epochs=1',
              'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1',
              'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False',
              'val_dataloader.persistent_workers=False', *options],
             env=dict(OMP_NUM_THREADS='1'))
    trained = torch.load(work_dir / 'epoch_1.pth', map_location='cpu',
                         weights_only=False)['state_dict']
    for key, value in pretrained.items():
        assert torch.equal(trained[f'backbone.{key}'], value), key
    scalars = [json.loads(line) for line in
               next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    return trained, scalars


def test_caltech101_linear_sibling_trains_only_the_head(tmp_path, tiny_set):
    trained, scalars = _train(FULL_TO_CPU['resnet50_8xb32-linear-steplr-100e_in1k.py'],
                              tmp_path, [f'train_dataloader.dataset.data_root={tiny_set}',
                                         f'val_dataloader.dataset.data_root={tiny_set}',
                                         f'test_dataloader.dataset.data_root={tiny_set}',
                                         'model.head.num_classes=3',
                                         'data_preprocessor.num_classes=3',
                                         'model.head.topk=[1]', 'val_evaluator.topk=[1]',
                                         'train_dataloader.batch_size=8'])
    assert trained['head.fc.weight'].shape == (3, 512)
    assert trained['head.fc.weight'].abs().sum() > 0
    assert any('accuracy/top1' in s for s in scalars)


def test_voc07_linear_sibling_on_bccd_trains_only_the_head(tmp_path, shared_data):
    shared_data('bccd')
    trained, scalars = _train(FULL_TO_CPU['resnet50_8xb16-linear-coslr-30e_voc07.py'],
                              tmp_path, ['train_dataloader.dataset.indices=32',
                                         'val_dataloader.dataset.indices=16'])
    assert trained['head.fc.weight'].shape == (3, 512)
    assert any('multi-label/mAP' in s for s in scalars)
