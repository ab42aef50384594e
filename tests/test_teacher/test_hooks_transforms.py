"""OnlineTeacherHook (what the teacher sees, probed), KeepTeacherView, AddEmptyMaps and
FixationsFromMap."""
import logging
from types import SimpleNamespace

import mmcv
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


def test_hook_runs_the_shipped_default_teacher_without_a_checkpoint():
    from attn_plugins.teacher.build import build_teacher

    hook = HOOKS.build(dict(type='OnlineTeacherHook', teacher='default'))
    runner = SimpleNamespace(model=torch.nn.Linear(1, 1), logger=logging.getLogger('test'))
    hook.before_run(runner)
    images = torch.randint(0, 256, (2, 3, 48, 64), dtype=torch.uint8)
    samples = [DataSample() for _ in range(2)]
    hook.before_train_iter(runner, 0, dict(inputs=images, data_samples=samples))
    teacher, _ = build_teacher('default')
    expected = teacher.saliency_maps(images)
    for i, sample in enumerate(samples):
        torch.testing.assert_close(sample.saliency, expected[i])
    with pytest.raises(ValueError, match='brings its own weights'):
        HOOKS.build(dict(type='OnlineTeacherHook', teacher='default', checkpoint='x.pth'))


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


ONLINE_CPU = ('configs/teacher_attention/'
              'simclr-teacher-attn-online_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py')
GRAY_WEIGHTS = (0.114, 0.587, 0.2989)  # the configs' RandomGrayscale channel weights (BGR)


class ProbeTeacher(torch.nn.Module):
    """Stands in for the hook's teacher: records every batch of images it is asked to label,
    then labels it with the real teacher."""

    def __init__(self, teacher):
        super().__init__()
        self.teacher = teacher
        self.seen = []

    def saliency_maps(self, images):
        self.seen.append(images.clone())
        return self.teacher.saliency_maps(images)


def online_batch(tmp_path, pipeline_edit=None, batch_size=3):
    """A batch of the online CPU config's training pipeline on synthetic photos, collated as
    its dataloader collates it. Blue is 200 everywhere and green / red grow along x / y,
    so a crop of the photo keeps blue at 200, and colour jitter or grayscale changes it."""
    from mmcv.transforms import Compose
    from mmengine.dataset import default_collate

    cfg = Config.fromfile(REPO_ROOT / ONLINE_CPU)
    assert cfg.train_dataloader.collate_fn.type == 'default_collate'
    pipeline = cfg.train_dataloader.dataset.datasets[0].pipeline
    if pipeline_edit is not None:
        pipeline_edit(pipeline[1]['transforms'][0])
    init_default_scope('mmpretrain')
    transform = Compose(pipeline)
    rows, cols = np.mgrid[0:90, 0:120]
    img = np.stack([np.full((90, 120), 200), cols * 2, rows * 2], axis=2).astype(np.uint8)
    path = tmp_path / 'photo.png'
    mmcv.imwrite(img, str(path))
    np.random.seed(0)
    return default_collate([transform(dict(img_path=str(path))) for _ in range(batch_size)])


def run_online_hook(checkpoint, teacher, batch, image_key):
    hook = HOOKS.build(dict(type='OnlineTeacherHook', teacher=str(REPO_ROOT / TEACHER_CPU),
                            checkpoint=str(checkpoint), image_key=image_key))
    runner = SimpleNamespace(model=torch.nn.Linear(1, 1), logger=logging.getLogger('test'))
    hook.before_run(runner)
    hook.teacher = ProbeTeacher(teacher)
    hook.before_train_iter(runner, 0, batch)
    return hook.teacher.seen


def test_online_config_teacher_sees_the_unjittered_crop(teacher_checkpoint, tmp_path):
    checkpoint, teacher = teacher_checkpoint
    cfg = Config.fromfile(REPO_ROOT / ONLINE_CPU)
    assert cfg.custom_hooks[0].image_key == 'teacher_img'
    batch = online_batch(tmp_path)
    seen = run_online_hook(checkpoint, teacher, batch, 'teacher_img')
    inputs = batch['inputs']
    assert len(seen) == len(inputs) == 2  # one teacher pass per view
    jittered = 0
    for v, (teacher_view, student_view) in enumerate(zip(seen, inputs)):
        assert teacher_view.shape == student_view.shape == (3, 3, 64, 64)
        # The teacher got the kept copy, never the student's jittered view...
        expected = torch.stack([sample.teacher_img[v] for sample in batch['data_samples']])
        assert torch.equal(teacher_view, expected)
        # ...which is a crop of the photo, colours untouched: blue stays 200 everywhere.
        assert (teacher_view[:, 0] == 200).all()
        jittered += int(not torch.equal(teacher_view, student_view))
        # Each view's map is the teacher's map of that copy.
        for i, sample in enumerate(batch['data_samples']):
            assert torch.allclose(sample.saliency[v], teacher.saliency_maps(expected)[i],
                                  atol=1e-6)
    assert jittered > 0  # the student's views were recoloured


def test_online_teacher_view_is_the_students_view_before_its_photometric_steps(
        teacher_checkpoint, tmp_path):
    """With grayscale as the only photometric step (always applied), the student's view must
    be exactly the grey version of the teacher's: same crop, same flip, pixel for pixel."""
    checkpoint, teacher = teacher_checkpoint

    def grayscale_only(view_pipeline):
        for step in view_pipeline:
            if step['type'] in ('RandomApply', 'GaussianBlur'):
                step['prob'] = 0.
            if step['type'] == 'RandomGrayscale':
                step['prob'] = 1.

    batch = online_batch(tmp_path, grayscale_only)
    seen = run_online_hook(checkpoint, teacher, batch, 'teacher_img')
    for teacher_view, student_view in zip(seen, batch['inputs']):
        grey = (teacher_view.double() * torch.tensor(GRAY_WEIGHTS).view(1, 3, 1, 1)).sum(1)
        assert (student_view.double() - grey[:, None]).abs().max() <= 1  # rounding only
        assert not torch.equal(teacher_view, student_view)
    # Without image_key the teacher labels the inputs: the grey views.
    seen = run_online_hook(checkpoint, teacher, batch, None)
    assert all(torch.equal(t, s) for t, s in zip(seen, batch['inputs']))


def test_keep_teacher_view_and_the_hooks_errors(teacher_checkpoint):
    init_default_scope('mmpretrain')
    img = np.random.RandomState(0).randint(0, 256, (20, 30, 3)).astype(np.uint8)
    results = TRANSFORMS.build(dict(type='KeepTeacherView'))(dict(img=img))
    kept = results['teacher_img']
    assert kept.dtype == torch.uint8 and kept.shape == (3, 20, 30)
    assert np.array_equal(kept.permute(1, 2, 0).numpy(), img)
    img[:] = 0  # a later in-place photometric step does not reach the copy
    assert kept.sum() > 0
    with pytest.raises(ValueError, match="differ from 'img'"):
        TRANSFORMS.build(dict(type='KeepTeacherView', key='img'))

    checkpoint, teacher = teacher_checkpoint
    views = [torch.zeros(2, 3, 16, 16, dtype=torch.uint8) for _ in range(2)]
    with pytest.raises(ValueError, match=r"KeepTeacherView\(key='teacher_img'\)"):
        run_online_hook(checkpoint, teacher, dict(inputs=views, data_samples=[
            DataSample(), DataSample()]), 'teacher_img')
    cropped_elsewhere = [DataSample(teacher_img=torch.zeros(2, 3, 8, 8, dtype=torch.uint8))
                         for _ in range(2)]
    with pytest.raises(ValueError, match='after every crop and resize'):
        run_online_hook(checkpoint, teacher, dict(inputs=views, data_samples=cropped_elsewhere),
                        'teacher_img')
