"""Transfer configs and ``set_pretrained``: every pretrained backbone weight lands, unchanged."""
import numpy as np
import pytest
import torch

pytest.importorskip('mmdet')
pytest.importorskip('mmseg')

from mmengine.config import Config  # noqa: E402

from attn_plugins.engine.transfer import set_pretrained  # noqa: E402
from tests.conftest import REPO_ROOT  # noqa: E402
from tests.test_transfer.common import assert_loaded, build_model  # noqa: E402

BENCHMARKS = REPO_ROOT / 'configs' / 'benchmarks'
# Full-scale transfer config -> its CPU-size sibling.
FULL_TO_CPU = {
    'mmdetection/faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py':
        'mmdetection/faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py',
    'mmdetection/faster-rcnn_r50-fpn_8xb2-ms-24k_voc0712.py':
        'mmdetection/faster-rcnn_r18-fpn_1xb4-300i_bccd-320_cpu.py',
    'mmdetection/faster-rcnn_r50-c4_8xb2-ms-24k_voc-format.py':
        'mmdetection/faster-rcnn_r18-c4_1xb4-300i_raccoon-320_cpu.py',
    'mmdetection/faster-rcnn_vars-d-vit-small-p16-mln_8xb2-ms-24k_voc0712.py':
        'mmdetection/faster-rcnn_vars-d-vit-tiny-p4-mln_1xb4-300i_bccd-320_cpu.py',
    'mmsegmentation/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py':
        'mmsegmentation/fcn_r18-d8_1xb8-200i_camvid-96x128_cpu.py',
}
# The ResNet transfer configs, each model type once (the VOC-format and raccoon ones share
# the C4 model of the configs they inherit from).
RESNET_CONFIGS = {
    50: ['mmdetection/faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py',
         'mmsegmentation/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py'],
    18: ['mmdetection/faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py',
         'mmdetection/faster-rcnn_r18-fpn_1xb4-300i_bccd-320_cpu.py',
         'mmsegmentation/fcn_r18-d8_1xb8-200i_camvid-96x128_cpu.py'],
}
# Pretraining configs whose backbones the transfer configs take.
PRETRAIN_CONFIGS = {
    50: 'configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py',
    18: 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',  # stride 16
    'vars-s': 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k.py',
}


def save_pretraining_checkpoint(config, path):
    """A checkpoint of the model of a pretraining config, as mmengine writes it.

    Every tensor is drawn at random, so a weight equal to it cannot be a fresh
    initialisation; the meta holds numpy values as real checkpoints do.
    """
    model = build_model(Config.fromfile(REPO_ROOT / config))
    generator = torch.Generator().manual_seed(0)
    state_dict = {
        key: (torch.randn(value.shape, generator=generator) if value.is_floating_point()
              else torch.randint(0, 100, value.shape, generator=generator).to(value.dtype))
        for key, value in model.state_dict().items()}
    torch.save(dict(meta=dict(epoch=1, seed=np.int64(0), lr=np.float64(0.1)),
                    state_dict=state_dict), path)
    return state_dict


@pytest.fixture(scope='module')
def pretraining_checkpoints(tmp_path_factory):
    """``{arch: (path, state_dict)}`` for the pretraining configs above."""
    root = tmp_path_factory.mktemp('pretrained')
    checkpoints = {}
    for arch, config in PRETRAIN_CONFIGS.items():
        path = root / f'{arch}.pth'
        checkpoints[arch] = (str(path), save_pretraining_checkpoint(config, path))
    return checkpoints


def test_every_transfer_config_is_listed_with_its_cpu_sibling():
    found = {str(p.relative_to(BENCHMARKS)) for p in BENCHMARKS.glob('mm*/*.py')}
    assert found == set(FULL_TO_CPU) | set(FULL_TO_CPU.values())
    for name in found:
        cfg = Config.fromfile(BENCHMARKS / name)
        assert 'attn_plugins' in cfg.custom_imports['imports'], name
        if name in FULL_TO_CPU:  # full scale: a pretrained backbone by default
            assert cfg.model.backbone.init_cfg['type'] == 'Pretrained', name
        else:  # CPU size: random start unless --pretrained
            assert cfg.model.backbone.get('init_cfg') is None, name


@pytest.mark.parametrize('depth,name', [(depth, name) for depth, names in
                                        RESNET_CONFIGS.items() for name in names])
def test_resnet_configs_load_every_backbone_weight(pretraining_checkpoints, depth, name):
    path, pretrained = pretraining_checkpoints[depth]
    cfg = Config.fromfile(BENCHMARKS / name)
    done = set_pretrained(cfg, path)
    c4 = 'c4' in name
    assert done == (['model.backbone', 'model.roi_head.shared_head'] if c4
                    else ['model.backbone'])
    model = build_model(cfg)
    model.init_weights()
    # No key missing, none left over: the backbone (and res5 head) take all backbone.* ones.
    count = assert_loaded(model.state_dict(), pretrained)
    assert count == len([k for k in pretrained if k.startswith('backbone.')])


def test_vars_detection_config_loads_a_vars_vit(pretraining_checkpoints):
    path, pretrained = pretraining_checkpoints['vars-s']
    cfg = Config.fromfile(
        BENCHMARKS / 'mmdetection/faster-rcnn_vars-d-vit-small-p16-mln_8xb2-ms-24k_voc0712.py')
    set_pretrained(cfg, path)
    model = build_model(cfg)
    model.init_weights()
    assert assert_loaded(model.state_dict(), pretrained) > 0
    # The pyramid neck turns the stride-16 map into strides 4, 8, 16, 32.
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.rand(1, 3, 64, 96))
    assert [tuple(f.shape[-2:]) for f in feats] == [(16, 24), (8, 12), (4, 6), (2, 3)]


def test_set_pretrained_replaces_defaults_and_clears_deprecated_keys(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict={'backbone.conv1.weight': torch.zeros(1)}), path)
    cfg = Config(dict(model=dict(
        type='EncoderDecoder', pretrained='open-mmlab://resnet50_v1c',
        backbone=dict(type='ResNet', pretrained='x.pth', init_cfg=None))))
    # min_match=0: this one-tensor file is no backbone; the config edits are under test.
    assert set_pretrained(cfg, str(path), prefix='backbone', min_match=0) == ['model.backbone']
    assert cfg.model.pretrained is None and 'pretrained' not in cfg.model.backbone
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', checkpoint=str(path),
                                               prefix='backbone.')
    # A slim checkpoint (tools/export_backbone.py): no prefix at all.
    set_pretrained(cfg, str(path), prefix='', min_match=0)
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', checkpoint=str(path))
    # URLs are left to mmengine's loaders.
    set_pretrained(cfg, 'torchvision://resnet50')
    assert cfg.model.backbone.init_cfg.checkpoint == 'torchvision://resnet50'


def test_set_pretrained_errors_name_the_problem(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict={'encoder.conv1.weight': torch.zeros(1)}), path)
    detector = Config(dict(model=dict(type='FasterRCNN', backbone=dict(type='ResNet'))))
    with pytest.raises(ValueError, match=r"no weights under the prefix 'backbone\.'.*"
                       r"\['encoder'\]"):
        set_pretrained(detector, str(path))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        set_pretrained(detector, str(tmp_path / 'missing.pth'))
    with pytest.raises(ValueError, match='no model.backbone'):
        set_pretrained(Config(dict(model=dict(type='ImageClassifier'))), str(path))
