"""tools/analysis/teacher_ssl_init.py: its statistics, its pretraining data (no held-out
image) and the hand-over of the MoCo v2 encoder to the teacher."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools' / 'analysis'))
import teacher_ssl_init  # noqa: E402


def test_arm_statistics_are_means_over_seeds_and_paired_differences():
    def scores(value):
        return {'nss': dict(mean=value, std=0.0)}

    held_out = {'osie': {'center_bias': scores(1.0),
                         'scratch seed 0': scores(1.5), 'ssl-init seed 0': scores(1.75),
                         'scratch seed 1': scores(1.25), 'ssl-init seed 1': scores(1.0)}}
    stats = teacher_ssl_init.arm_statistics(held_out, [0, 1])['osie']['nss']
    assert stats['center_bias'] == 1.0
    assert stats['scratch'] == dict(mean=1.375, std=0.125)
    assert stats['ssl-init'] == dict(mean=1.375, std=0.375)
    assert stats['difference']['per_seed'] == [0.25, -0.25]
    assert stats['difference']['mean'] == 0.0 and stats['difference']['std'] == 0.25


def test_pretraining_sees_no_held_out_image(shared_data):
    scene = shared_data('scene_saliency')
    shared_data('osie'), shared_data('bsds500')
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(teacher_ssl_init.SSL_CONFIG)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert [len(d) for d in dataset.datasets] == [500, 600, 400]
    stems = {osp.splitext(osp.basename(dataset.get_data_info(i)['img_path']))[0]
             for i in range(len(dataset))}
    assert not stems & {str(n) for n in range(1601, 1701)}  # OSIE's held-out images
    held_out = DATASETS.build(dict(type='SceneSaliencyFixations',
                                   data_root=str(scene),
                                   split='val'))
    scene_val = {osp.splitext(osp.basename(held_out.get_data_info(i)['img_path']))[0]
                 for i in range(len(held_out))}
    assert len(scene_val) == 100 and not stems & scene_val


def test_the_teacher_starts_from_the_pretrained_encoder(tmp_path):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    moco = MODELS.build(Config.fromfile(teacher_ssl_init.SSL_CONFIG).model)
    checkpoint = tmp_path / 'mocov2.pth'
    torch.save(dict(state_dict=moco.state_dict()), checkpoint)
    cfg = Config.fromfile(teacher_ssl_init.TEACHER_CONFIG)
    cfg.model.backbone = dict(cfg.model.backbone, init_cfg=dict(
        type='Pretrained', checkpoint=str(checkpoint), prefix='backbone.'))
    teacher = MODELS.build(cfg.model)
    teacher.init_weights()
    for name, value in teacher.backbone.state_dict().items():
        if name.endswith('num_batches_tracked'):
            continue
        torch.testing.assert_close(value, moco.backbone.state_dict()[name], msg=name)
    with pytest.raises(AssertionError):  # and from scratch it does not
        scratch = MODELS.build(Config.fromfile(teacher_ssl_init.TEACHER_CONFIG).model)
        torch.testing.assert_close(scratch.backbone.conv1.weight, moco.backbone.conv1.weight)
