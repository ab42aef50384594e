"""The ATCON configs: full-scale ones parse and build, CPU-size ones train via tools/train.py."""
import glob
import json
import math
from pathlib import Path

import pytest

pytest.importorskip('mmpretrain')

from mmengine.config import Config  # noqa: E402

from tests.conftest import REPO_ROOT, run_tool  # noqa: E402

CONFIGS = REPO_ROOT / 'configs' / 'atcon'
SIBLINGS = {
    'supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py':
        'supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py',
    'atcon-consistency_resnet50_1xb16-adam-5e_voc2012.py':
        'atcon-consistency_resnet18_1xb8-adam-10e_bccd_cpu.py',
    'atcon-alternating_resnet50_1xb16-adam-2000i_voc2012-16shot.py':
        'atcon-alternating_resnet18_1xb8-adam-300i_bccd-8shot_cpu.py',
    'atcon-combined_resnet50_1xb16-adam-2000i_voc2012-16shot.py':
        'atcon-combined_resnet18_1xb8-adam-200i_bccd-8shot_cpu.py',
}
RACCOON = ('supervised_resnet18_1xb8-adam-100e_raccoon-8shot_cpu.py',
           'atcon-consistency_resnet18_1xb8-adam-2e_raccoon_cpu.py',
           'atcon-combined_resnet18_1xb8-adam-100i_raccoon-8shot_cpu.py',
           'atcon-alternating_resnet18_1xb8-adam-200i_raccoon-8shot_cpu.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
# Data loading in the main process and a couple of images: a few iterations start fast.
QUICK = [f'{loader}.{key}' for loader in LOADERS
         for key in ('num_workers=0', 'persistent_workers=False')] + [
    'train_dataloader.batch_size=2', 'val_dataloader.dataset.indices=2',
    'default_hooks.logger.interval=1']


def config_path(name):
    return f'configs/atcon/{name}'


def logged(work_dir):
    """Every logged training record of a run."""
    (scalars, ) = glob.glob(str(Path(work_dir) / '*' / 'vis_data' / 'scalars.json'))
    with open(scalars) as f:
        return [json.loads(line) for line in f]


def train_losses(records):
    return [r['loss'] for r in records if 'loss' in r]


def test_configs_are_the_listed_ones_and_parse():
    names = {p.name for p in CONFIGS.glob('*.py')}
    assert names == set(SIBLINGS) | set(SIBLINGS.values()) | set(RACCOON)
    for name in names:
        cfg = Config.fromfile(CONFIGS / name)
        assert cfg.custom_imports == dict(imports=['attn_plugins'], allow_failed_imports=False)
        assert cfg.optim_wrapper.optimizer.type == 'Adam'
        if cfg.model.type == 'ATCONClassifier':
            metrics = {m['type'] for m in cfg.val_evaluator}
            assert {'AttentionConsistencyMetric', 'AttentionLocalizationMetric'} <= metrics
        # The collapse guards and label baselines are logged beside every F1.
        guards = [m for m in cfg.val_evaluator if m['type'] == 'CollapseGuardMetric']
        assert len(guards) == 1
        assert guards[0].get('attention', True) is (cfg.model.type == 'ATCONClassifier')
        if cfg.model.get('mode') == 'combined':
            assert cfg.train_cfg.type == 'ATCONCombinedLoop'
            assert cfg.train_cfg.unlabeled_dataloader.sampler.type == 'DefaultSampler'
        if 'raccoon' not in name:  # raccoon: one always-present class, F1 = mAP = 100
            checkpoint = cfg.default_hooks.checkpoint
            assert (checkpoint.save_best, checkpoint.rule) == ('multi-label/mAP', 'greater')
        if cfg.model.get('mode') in ('consistency', 'alternating'):
            # Consistency steps leave the head's bias without a gradient: DDP must know.
            assert cfg.model_wrapper_cfg.find_unused_parameters is True
    for full in SIBLINGS:
        cfg = Config.fromfile(CONFIGS / full)
        assert cfg.optim_wrapper.optimizer.lr == 5e-6  # the paper's range
        assert cfg.train_dataloader.dataset.data_root == 'data/VOCdevkit/VOC2012/'
    # Consistency fine-tuning of a trained checkpoint: the paper's lr range on BCCD too.
    cfg = Config.fromfile(CONFIGS / SIBLINGS['atcon-consistency_resnet50_1xb16-adam-5e_voc2012.py'])
    assert 1e-6 <= cfg.optim_wrapper.optimizer.lr <= 5e-6


@pytest.mark.parametrize('name', sorted(p.name for p in CONFIGS.glob('*.py')))
def test_every_atcon_backbone_pads_by_reflection(name):
    import torch
    from attn_plugins.engine.launch import build_model
    model = build_model(Config.fromfile(CONFIGS / name))
    convs = [m for m in model.backbone.modules() if isinstance(m, torch.nn.Conv2d)]
    padded = [m for m in convs if any(p > 0 for p in m.padding)]
    assert len(padded) >= 17 and all(m.padding_mode == 'reflect' for m in padded)
    # The stem really reflects in the forward pass: its output on an image whose border
    # differs from zero matches an explicit reflect pad.
    stem, image = model.backbone.conv1, torch.rand(1, 3, 32, 32) + 1
    pad = stem.padding
    expected = torch.nn.functional.conv2d(
        torch.nn.functional.pad(image, (pad[1], pad[1], pad[0], pad[0]), mode='reflect'),
        stem.weight, stride=stem.stride)
    torch.testing.assert_close(stem(image), expected)


@pytest.mark.parametrize('name', sorted(SIBLINGS))
def test_full_scale_models_build(name):
    import attn_plugins  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(CONFIGS / name)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)  # weights are not loaded until init_weights
    assert model.backbone.depth == 50 and model.head.num_classes == 20
    expected_mode = {'supervised': None, 'atcon-consistency': 'consistency',
                     'atcon-alternating': 'alternating', 'atcon-combined': 'combined'}
    assert getattr(model, 'mode', None) == expected_mode[name.split('_')[0]]


# One shot: BCCD's subset holds one positive and one negative of each class (3 images, 2
# batches of 2 per epoch); raccoon's one class has no negatives (1 image, 1 batch).
@pytest.mark.parametrize('supervised, consistency, data, step1_iters', [
    (config_path(SIBLINGS['supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py']),
     config_path(SIBLINGS['atcon-consistency_resnet50_1xb16-adam-5e_voc2012.py']), 'bccd', 4),
    (config_path(RACCOON[0]), config_path(RACCOON[1]), 'raccoon', 2),
])
def test_supervised_then_atcon_protocol_trains(tmp_path, shared_data, supervised, consistency,
                                               data, step1_iters):
    shared_data(data)
    step1 = tmp_path / 'supervised'
    run_tool(['tools/train.py', supervised, '--work-dir', step1, '--cfg-options', *QUICK,
              'train_dataloader.sampler.shots=1', 'train_cfg.max_epochs=2',
              'train_cfg.val_interval=2'])
    records = logged(step1)
    assert len(train_losses(records)) == step1_iters
    assert all(math.isfinite(loss) for loss in train_losses(records))
    assert any('multi-label/f1-score' in r and 'multi-label/mAP' in r for r in records)

    step2 = tmp_path / 'atcon'
    proc = run_tool(['tools/train.py', consistency, '--work-dir', step2, '--cfg-options',
                     *QUICK, 'train_dataloader.dataset.indices=4', 'train_cfg.max_epochs=1',
                     f'load_from={step1 / "epoch_2.pth"}'])
    assert f'Load checkpoint from {step1 / "epoch_2.pth"}' in proc.stdout + proc.stderr
    records = logged(step2)
    losses = [r['loss_consistency'] for r in records if 'loss_consistency' in r]
    assert len(losses) == 2 and all(-1 <= loss <= 1 for loss in losses)
    (val, ) = [r for r in records if 'attention/consistency' in r]
    assert -1 <= val['attention/consistency'] <= 1 and 0 <= val['attention/loc_iou'] <= 1
    assert 'multi-label/f1-score' in val


@pytest.mark.parametrize('name, data', [
    (SIBLINGS['atcon-alternating_resnet50_1xb16-adam-2000i_voc2012-16shot.py'], 'bccd'),
    (RACCOON[3], 'raccoon'),
])
def test_alternating_cpu_config_trains(tmp_path, shared_data, name, data):
    shared_data(data)
    work = tmp_path / 'alternating'
    run_tool(['tools/train.py', config_path(name), '--work-dir', work, '--cfg-options',
              *QUICK, 'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
              'train_cfg.unlabeled_dataloader.num_workers=0',
              'train_cfg.unlabeled_dataloader.persistent_workers=False',
              'train_cfg.unlabeled_dataloader.batch_size=2',
              'train_cfg.unlabeled_dataloader.dataset.indices=4'])
    records = logged(work)
    losses = train_losses(records)
    assert len(losses) == 4 and all(math.isfinite(loss) for loss in losses)
    assert any('attention/consistency' in r for r in records)


def test_combined_cpu_config_trains(tmp_path, shared_data):
    shared_data('bccd')
    work = tmp_path / 'combined'
    run_tool(['tools/train.py', config_path(
        SIBLINGS['atcon-combined_resnet50_1xb16-adam-2000i_voc2012-16shot.py']),
        '--work-dir', work, '--cfg-options', *QUICK, 'train_dataloader.sampler.shots=1',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'train_cfg.unlabeled_dataloader.num_workers=0',
        'train_cfg.unlabeled_dataloader.persistent_workers=False',
        'train_cfg.unlabeled_dataloader.batch_size=2',
        'train_cfg.unlabeled_dataloader.dataset.indices=4'])
    records = logged(work)
    steps = [r for r in records if 'loss_cls' in r]
    assert len(steps) == 2
    for step in steps:
        assert math.isfinite(step['loss_cls']) and -1 <= step['loss_consistency'] <= 1
        assert step['loss'] == pytest.approx(step['loss_cls'] + step['loss_consistency'],
                                             abs=1e-3)
    (val, ) = [r for r in records if 'collapse/cam_cross_corr' in r]
    assert -1 <= val['collapse/cam_cross_corr'] <= 1
    assert 0 <= val['collapse/mask_binariness'] <= 1
    # The label baselines of the two validation images, from their XML files by hand.
    import xml.etree.ElementTree as ET
    root = shared_data('bccd')
    ids = (root / 'ImageSets' / 'Main' / 'val.txt').read_text().split()[:2]
    names = [{o.find('name').text for o in
              ET.parse(root / 'Annotations' / f'{i}.xml').getroot().iter('object')} for i in ids]
    priors = [sum(c in n for n in names) / 2 for c in ('RBC', 'WBC', 'Platelets')]
    assert val['collapse/label_prior'] == pytest.approx(100 * sum(priors) / 3)
    assert val['collapse/all_present_f1'] == pytest.approx(
        100 * sum(2 * p / (1 + p) for p in priors) / 3)


def test_raccoon_combined_config_trains_and_scores_the_attention(tmp_path, shared_data):
    shared_data('raccoon')
    work = tmp_path / 'combined'
    run_tool(['tools/train.py', config_path(RACCOON[2]), '--work-dir', work, '--cfg-options',
              *QUICK, 'train_dataloader.sampler.shots=1', 'train_cfg.max_iters=2',
              'train_cfg.val_interval=2', 'train_cfg.unlabeled_dataloader.num_workers=0',
              'train_cfg.unlabeled_dataloader.persistent_workers=False',
              'train_cfg.unlabeled_dataloader.batch_size=2',
              'train_cfg.unlabeled_dataloader.dataset.indices=4'])
    records = logged(work)
    steps = [r for r in records if 'loss_cls' in r]
    assert len(steps) == 2
    assert all(-1 <= step['loss_consistency'] <= 1 for step in steps)
    (val, ) = [r for r in records if 'attention/loc_iou' in r]
    assert 0 <= val['attention/loc_iou'] <= 1
    # one always-present class: answering "present" scores a perfect F1
    assert val['collapse/all_present_f1'] == pytest.approx(100)
