"""OnlineTeacherHook, AddEmptyMaps and FixationsFromMap."""
import logging
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import HOOKS, MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

from attn_plugins.teacher import fixation_like_map
from tests.conftest import REPO_ROOT

TEACHER_CPU = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'


@pytest.fixture(scope='module')
def teacher_checkpoint(tmp_path_factory):
    """A teacher with a non-trivial readout, saved as tools/train.py saves checkpoints."""
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(REPO_ROOT / TEACHER_CPU).model)
    torch.nn.init.normal_(teacher.decoder.readout.weight, std=0.5)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path, teacher.eval()


def run_hook(checkpoint, inputs, samples):
    hook = HOOKS.build(dict(type='OnlineTeacherHook', teacher=str(REPO_ROOT / TEACHER_CPU),
                            checkpoint=str(checkpoint)))
    runner = SimpleNamespace(model=torch.nn.Linear(1, 1), logger=logging.getLogger('test'))
    hook.before_run(runner)
    hook.before_train_iter(runner, 0, dict(inputs=inputs, data_samples=samples))
    return hook


def test_hook_labels_each_view_with_the_teacher(teacher_checkpoint):
    checkpoint, teacher = teacher_checkpoint
    views = [torch.randint(0, 256, (3, 3, 48, 64), dtype=torch.uint8) for _ in range(2)]
    samples = [DataSample() for _ in range(3)]
    hook = run_hook(checkpoint, views, samples)
    assert not hook.teacher.training
    assert not any(p.requires_grad for p in hook.teacher.parameters())
    expected = [teacher.saliency_maps(view) for view in views]
    for i, sample in enumerate(samples):
        assert sample.saliency.shape == (2, 48, 64)
        for v in range(2):
            assert torch.allclose(sample.saliency[v], expected[v][i], atol=1e-6)
    # The teacher is image-dependent: the two views of a sample got different maps.
    assert not torch.allclose(samples[0].saliency[0], samples[0].saliency[1])


def test_hook_labels_single_images(teacher_checkpoint):
    checkpoint, teacher = teacher_checkpoint
    images = [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8) for _ in range(2)]
    samples = [DataSample() for _ in range(2)]
    run_hook(checkpoint, images, samples)
    expected = teacher.saliency_maps(torch.stack(images))
    assert samples[1].saliency.shape == (32, 32)
    assert torch.allclose(samples[1].saliency, expected[1], atol=1e-6)
    with pytest.raises(ValueError, match='one size'):
        run_hook(checkpoint, [images[0], images[0][:, :16]], samples)


def test_hook_names_a_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='teacher checkpoint not found'):
        HOOKS.build(dict(type='OnlineTeacherHook', teacher=str(REPO_ROOT / TEACHER_CPU),
                         checkpoint=str(tmp_path / 'none.pth')))


def test_empty_maps_travel_through_the_two_view_pipeline():
    init_default_scope('mmpretrain')
    view = [dict(type='SaliencyConstrainedRandomResizedCrop', scale=16,
                 min_salient_fraction=0.),
            dict(type='SaliencyRandomFlip', prob=0.5)]
    pipeline = [TRANSFORMS.build(t) for t in (
        dict(type='AddEmptyMaps', keys=('saliency', 'fixation_density', 'fixation_points')),
        dict(type='SaliencyMultiView', num_views=2, transforms=[view]),
        dict(type='PackSaliencyInputs'))]
    results = dict(img=np.random.randint(0, 255, (40, 50, 3), np.uint8), img_path='x.jpg')
    for transform in pipeline:
        results = transform(results)
    sample = results['data_samples']
    assert sample.fixation_density.shape == sample.fixation_map.shape == (2, 16, 16)
    assert sample.fixation_density.sum() == 0 and sample.fixation_map.sum() == 0
    assert sample.saliency_empty.all()  # an empty saliency map: plain random crops
    # A sample with a real density keeps it.
    density = np.random.rand(40, 50).astype(np.float32)
    kept = TRANSFORMS.build(dict(type='AddEmptyMaps'))(
        dict(img=np.zeros((40, 50, 3), np.uint8), fixation_density=density))
    assert kept['fixation_density'] is density and kept['fixation_points'].shape == (0, 2)
    with pytest.raises(ValueError, match='unknown keys'):
        TRANSFORMS.build(dict(type='AddEmptyMaps', keys=('density', )))


def test_fixations_from_map_marks_the_teachers_top_pixels():
    init_default_scope('mmpretrain')
    saliency = np.random.RandomState(0).rand(12, 16).astype(np.float32)
    results = TRANSFORMS.build(dict(type='FixationsFromMap', method='topk', ratio=0.05))(
        dict(fixation_density=saliency))
    points = results['fixation_points']
    expected = fixation_like_map(torch.from_numpy(saliency)[None], 'topk', 0.05)[0].numpy()
    marked = np.zeros_like(expected)
    marked[points[:, 1].astype(int), points[:, 0].astype(int)] = 1  # points are (x, y)
    assert points.shape == (10, 2) and np.array_equal(marked, expected)
    with pytest.raises(KeyError, match="LoadSaliencyMap\\(key='fixation_density'\\)"):
        TRANSFORMS.build(dict(type='FixationsFromMap'))(dict(img_path='a.jpg'))
