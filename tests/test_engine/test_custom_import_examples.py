"""The worked examples in configs/examples/ plug attn_plugins into an mmdet / mmseg project
of one's own: they inherit mmdet's / mmseg's shipped configs (``mmdet::`` / ``mmseg::``)
and reach the plugin only through ``custom_imports``.

Each check runs in a fresh interpreter that never imported attn_plugins, as mmdet's or
mmseg's own ``tools/train.py`` would: ``Config.fromfile`` (which runs ``custom_imports``),
then the scope's registries build the model and the dataset; a second process runs one
training iteration the way those tools do (``Runner.from_cfg(cfg).train()``), on a couple
of tiny images.
"""
import ast
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / 'configs' / 'examples'
MMDET_EXAMPLE = EXAMPLES / 'mmdet_faster-rcnn_r50-fpn_custom-imports_raccoon.py'
MMSEG_EXAMPLE = EXAMPLES / 'mmseg_fcn_vars-d-vit_custom-imports_camvid.py'
MMPRETRAIN_EXAMPLE = EXAMPLES / 'mmpretrain_cast-mocov2_resnet50_custom-imports_bsds.py'
CAMVID_CLASSES = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol',
                  'Fence', 'Car', 'Pedestrian', 'Bicyclist']

BUILD = '''
import importlib, os, sys
from mmengine.config import Config
from mmengine.registry import init_default_scope
assert 'attn_plugins' not in sys.modules
cfg = Config.fromfile(sys.argv[1])  # runs custom_imports
assert 'attn_plugins' in sys.modules
init_default_scope(cfg.default_scope)
registry = importlib.import_module(cfg.default_scope + '.registry')
model = registry.MODELS.build(cfg.model)
dataset = registry.DATASETS.build(cfg.train_dataloader.dataset)
sample = dataset[0]  # the training pipeline reads an image and its annotation
# mmseg's decode head, mmdet's box head; a self-supervised model has neither.
head = getattr(model, 'decode_head', None) or getattr(
    getattr(model, 'roi_head', None), 'bbox_head', None)
inputs = sample['inputs']  # one image, or a list of views
name = lambda obj: type(obj).__module__ + '.' + type(obj).__name__
print(repr(dict(
    scope=cfg.default_scope, model=name(model), backbone=name(model.backbone),
    dataset=name(dataset), length=len(dataset),
    classes=list(dataset.metainfo.get('classes', [])),
    num_classes=getattr(head, 'num_classes', None),
    img_path=dataset.get_data_info(0)['img_path'],
    inputs=[tuple(v.shape) for v in inputs] if isinstance(inputs, list) else tuple(inputs.shape))))
'''

# What mmdet's / mmseg's tools/train.py do, with the overrides of --cfg-options.
TRAIN = '''
import ast, sys
from mmengine.config import Config
from mmengine.runner import Runner
assert 'attn_plugins' not in sys.modules
cfg = Config.fromfile(sys.argv[1])
cfg.merge_from_dict(ast.literal_eval(sys.argv[2]))
cfg.work_dir = sys.argv[3]
runner = Runner.from_cfg(cfg)
runner.train()
print('TRAINED_ITERS', runner.iter)
'''

# One iteration on two small images; no validation, test or checkpoint.
COMMON_OVERRIDES = {
    'train_dataloader.batch_size': 2,
    'train_dataloader.num_workers': 0,
    'train_dataloader.persistent_workers': False,
    'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None,
    'test_cfg': None, 'test_dataloader': None, 'test_evaluator': None,
    'default_hooks.checkpoint': None,
    'log_level': 'WARNING',
}
MMDET_OVERRIDES = {
    **COMMON_OVERRIDES,
    'model.backbone.init_cfg': None,  # no download of torchvision://resnet50
    'train_dataloader.dataset.indices': 2,  # one epoch = one iteration
    'train_dataloader.dataset.pipeline': [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(128, 96), keep_ratio=True),
        dict(type='PackDetInputs'),
    ],
    'train_cfg.max_epochs': 1,
}
MMSEG_OVERRIDES = {
    **COMMON_OVERRIDES,
    'model.data_preprocessor.size': (64, 64),
    'train_dataloader.dataset.pipeline': [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='Resize', scale=(96, 72), keep_ratio=True),
        dict(type='RandomCrop', crop_size=(64, 64), cat_max_ratio=0.75, ignore_index=11),
        dict(type='PackSegInputs'),
    ],
    'train_cfg.max_iters': 1,
}


def _run(code, *args, data_root):
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT), 'ATTN_DATA_ROOT': str(data_root)}
    # One intra-op thread: these models are tiny, and on a machine whose cores are busy
    # torch's OpenMP threads wait for each other at every op (one iteration: ~25 s, not ~3 s).
    env.setdefault('OMP_NUM_THREADS', '1')
    proc = subprocess.run([sys.executable, '-c', code, *map(str, args)], capture_output=True,
                          text=True, cwd=REPO_ROOT, env=env, timeout=600)
    assert proc.returncode == 0, (f'--- stdout ---\n{proc.stdout[-3000:]}\n'
                                  f'--- stderr ---\n{proc.stderr[-6000:]}')
    return proc.stdout


def _build(config, data_root):
    out = _run(BUILD, config, data_root=data_root)
    return ast.literal_eval(out.strip().splitlines()[-1])


def _train_one_iteration(config, overrides, work_dir, data_root):
    out = _run(TRAIN, config, repr(overrides), work_dir, data_root=data_root)
    assert 'TRAINED_ITERS 1' in out, out[-3000:]


@pytest.mark.parametrize('config', [MMDET_EXAMPLE, MMSEG_EXAMPLE, MMPRETRAIN_EXAMPLE],
                         ids=['mmdet', 'mmseg', 'mmpretrain'])
def test_example_inherits_the_scopes_own_config_and_imports_the_plugin(config):
    text = config.read_text()
    scope = config.name.split('_')[0]
    assert f"'{scope}::" in text
    assert "custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)" in text
    # Self-contained for a project outside this repository: no base config of ours.
    assert "'../" not in text and "'./" not in text


def test_mmdet_example_builds_faster_rcnn_on_the_plugins_voc_format_dataset(shared_data):
    raccoon = shared_data('raccoon')
    info = _build(MMDET_EXAMPLE, raccoon.parent)
    assert info['scope'] == 'mmdet'
    assert info['model'] == 'mmdet.models.detectors.faster_rcnn.FasterRCNN'
    assert info['backbone'].startswith('mmdet.')  # mmdet's own ResNet-50
    assert info['dataset'] == 'attn_plugins.data.detection.VOCFormatDataset'
    assert info['classes'] == ['raccoon']
    assert info['num_classes'] == 1
    assert info['length'] > 0
    assert info['img_path'].startswith(str(raccoon)) and os.path.isfile(info['img_path'])
    assert info['inputs'][0] == 3


def test_mmseg_example_builds_fcn_on_the_plugins_vars_backbone(shared_data):
    camvid = shared_data('camvid')
    info = _build(MMSEG_EXAMPLE, camvid.parent)
    assert info['scope'] == 'mmseg'
    assert info['model'] == 'mmseg.models.segmentors.encoder_decoder.EncoderDecoder'
    assert info['backbone'] == 'attn_plugins.vars.backbones.VARSVisionTransformer'
    assert info['dataset'].startswith('mmseg.')  # mmseg's own BaseSegDataset
    assert info['classes'] == CAMVID_CLASSES
    assert info['num_classes'] == 11
    assert info['length'] > 0
    assert info['img_path'].startswith(str(camvid)) and os.path.isfile(info['img_path'])
    assert info['inputs'][0] == 3


def test_mmdet_example_trains_one_iteration(shared_data, tmp_path):
    raccoon = shared_data('raccoon')
    _train_one_iteration(MMDET_EXAMPLE, MMDET_OVERRIDES, tmp_path, raccoon.parent)


def test_mmseg_example_trains_one_iteration(shared_data, tmp_path):
    camvid = shared_data('camvid')
    _train_one_iteration(MMSEG_EXAMPLE, MMSEG_OVERRIDES, tmp_path, camvid.parent)


# The self-supervised example at 64 px on two photos with their masks, queue of 4 keys.
MMPRETRAIN_OVERRIDES = {
    **COMMON_OVERRIDES,
    'train_dataloader.dataset.indices': 2,  # one epoch = one iteration
    'train_dataloader.dataset.pipeline': [
        dict(type='LoadImageFromFile'),
        dict(type='LoadSaliencyMap'),
        dict(type='SaliencyMultiView', num_views=2, transforms=[[
            dict(type='SaliencyConstrainedRandomResizedCrop', scale=64,
                 crop_ratio_range=(0.2, 1.), min_salient_fraction=0.2),
            dict(type='SaliencyRandomFlip', prob=0.5)]]),
        dict(type='PackSaliencyInputs'),
    ],
    'model.queue_len': 4,
    'train_cfg.max_epochs': 1,
}

# Where the example's model gets its preprocessor and its batches their layout, as
# mmpretrain's tools/train.py builds them.
PREPROCESS = '''
import sys
from mmengine.config import Config
from mmengine.runner import Runner
cfg = Config.fromfile(sys.argv[1])
cfg.merge_from_dict(eval(sys.argv[2]))
cfg.work_dir = sys.argv[3]
runner = Runner.from_cfg(cfg)
batch = next(iter(runner.train_dataloader))
data = runner.model.data_preprocessor(batch, True)
views = data['inputs']
print(repr(dict(preprocessor=type(runner.model.data_preprocessor).__name__,
                views=[tuple(v.shape) for v in views],
                mean=float(sum(v.mean() for v in views) / len(views)))))
'''


def test_mmpretrain_example_trains_cast_one_iteration(shared_data, tmp_path):
    """CAST in an mmpretrain project through custom_imports alone, with the two lines a
    self-supervised model needs: SelfSupDataPreprocessor and default_collate."""
    bsds = shared_data('bsds500')
    info = _build(MMPRETRAIN_EXAMPLE, bsds.parent)
    assert info['scope'] == 'mmpretrain'
    assert info['model'] == 'attn_plugins.guidance.models.GuidedMoCo'
    assert info['backbone'].startswith('mmpretrain.')  # mmpretrain's own ResNet-50
    assert info['dataset'] == 'attn_plugins.data.saliency_datasets.SaliencyImageFolder'
    assert info['length'] == 200  # the BSDS500 training photos with SOD masks
    assert info['img_path'].startswith(str(bsds)) and os.path.isfile(info['img_path'])
    assert info['inputs'] == [(3, 224, 224), (3, 224, 224)]  # two views
    # The views come as one normalised (B, 3, H, W) tensor each: default_collate stacked
    # them, SelfSupDataPreprocessor normalised them (raw pixels would average ~100).
    out = _run(PREPROCESS, MMPRETRAIN_EXAMPLE, repr(MMPRETRAIN_OVERRIDES), tmp_path / 'pre',
               data_root=bsds.parent)
    batch = ast.literal_eval(out.strip().splitlines()[-1])
    assert batch['preprocessor'] == 'SelfSupDataPreprocessor'
    assert batch['views'] == [(2, 3, 64, 64), (2, 3, 64, 64)]
    assert abs(batch['mean']) < 3
    _train_one_iteration(MMPRETRAIN_EXAMPLE, MMPRETRAIN_OVERRIDES, tmp_path / 'train',
                         bsds.parent)
