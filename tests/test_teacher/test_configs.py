"""Every config: full-scale ones build, CPU siblings train a few iterations via tools/train.py."""
import glob
import json
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from tests.conftest import DATA_ROOT, REPO_ROOT, run_tool

TEACHER = 'configs/saliency_teacher/'
STUDENT = 'configs/teacher_attention/'
# full-scale config -> its CPU-size sibling
TEACHER_FULL = TEACHER + 'saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py'
# Kept for comparison only: its ImageNet-label weights leak labels into the student.
TEACHER_SUPERVISED_INIT = (
    TEACHER + 'saliency-teacher_resnet50-in1k-supervised-init_1xb32-adam-20e_salicon-320x240.py')
SIBLINGS = {
    TEACHER_FULL: TEACHER + 'saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py',
    # OSIE + Scene; the CPU sibling is the teacher shipped with the package
    TEACHER + 'saliency-teacher_resnet50_1xb32-adam-20e_osie-scene-320x240.py':
        TEACHER + 'saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py',
    # The CPU configs download no weights, so the from-scratch CPU teacher stands for both.
    TEACHER_SUPERVISED_INIT:
        TEACHER + 'saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py',
    STUDENT + 'simclr_resnet50_16xb256-coslr-200e_in1k.py':
        STUDENT + 'simclr_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    STUDENT + 'simclr-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py':
        STUDENT + 'simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    STUDENT + 'simclr-teacher-attn-online_resnet50_16xb256-coslr-200e_in1k.py':
        STUDENT + 'simclr-teacher-attn-online_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    STUDENT + 'simclr-cotrain_resnet50_16xb256-coslr-200e_in1k-salicon.py':
        STUDENT + 'simclr-cotrain_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    # the centre-prior control of SimCLR + teacher attention
    STUDENT + 'simclr-centre-attn_resnet50_16xb256-coslr-200e_in1k.py':
        STUDENT + 'simclr-centre-attn_resnet18_1xb32-coslr-10e_bsds-osie-centre_cpu.py',
    STUDENT + 'mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py':
        STUDENT + 'mocov2-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    # the centre-prior control: its only CPU scale is its experiment's (Caltech-101)
    STUDENT + 'mocov2-centre-attn_resnet50_8xb32-coslr-200e_in1k.py':
        STUDENT + 'mocov2-centre-attn_resnet18_1xb64-coslr-100e_caltech101-centre_cpu.py',
    STUDENT + 'byol-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py':
        STUDENT + 'byol-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py',
    STUDENT + 'supervised_resnet50_8xb32-100e_in1k.py':
        STUDENT + 'supervised_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py',
    STUDENT + 'supervised-teacher-attn_resnet50_8xb32-100e_in1k.py':
        STUDENT + 'supervised-teacher-attn_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py',
}
TEACHER_CPU = SIBLINGS[TEACHER_FULL]
# Second CPU scales of a full config: the Caltech-101 experiments' (the MoCo v2 one is tested
# with its experiment's other arms in tests/test_cast/test_caltech_scale_configs.py).
MORE_CPU_SCALES = {
    STUDENT + 'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py',
    STUDENT + 'mocov2-cotrain_resnet18_1xb64-coslr-100e_caltech101-human_cpu.py',
    STUDENT + 'supervised_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py',
    STUDENT + 'supervised-teacher-attn_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py'}
RUN = ['train_cfg.max_epochs=1', 'default_hooks.logger.interval=1',
       'default_hooks.checkpoint.interval=1']


def in_process_loading(config):
    """cfg-options that load the config's data in the main process (fast start)."""
    cfg = Config.fromfile(REPO_ROOT / config)
    return [f'{loader}.{key}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
            if cfg.get(loader) for key in ('num_workers=0', 'persistent_workers=False')]


def scalars(work_dir):
    (path, ) = glob.glob(str(Path(work_dir) / '*' / 'vis_data' / 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f]


def train_records(work_dir, keys):
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert records, f'nothing logged in {work_dir}'
    for record in records:
        for key in keys:
            assert math.isfinite(record[key]), (key, record)
    return records


def test_the_folders_hold_exactly_the_listed_pairs():
    found = {str(Path(p).relative_to(REPO_ROOT))
             for p in glob.glob(str(REPO_ROOT / 'configs' / '*teacher*' / '*.py'))}
    assert found == set(SIBLINGS) | set(SIBLINGS.values()) | MORE_CPU_SCALES
    assert all(cpu.endswith('_cpu.py') and not full.endswith('_cpu.py')
               for full, cpu in SIBLINGS.items())


@pytest.mark.parametrize('config', sorted(SIBLINGS))
def test_full_scale_models_build(config):
    cfg = Config.fromfile(REPO_ROOT / config)
    assert cfg.custom_imports == dict(imports=['attn_plugins'], allow_failed_imports=False)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert model.backbone.depth == 50
    if cfg.model.get('attn_head'):
        assert model.attn_head.layers[0].in_channels == 1024  # ResNet-50 stage 3


def _loaded_checkpoints(config, monkeypatch):
    """Build ``config``'s model and run its ``init_weights()`` with every checkpoint load
    intercepted: returns the checkpoints initialisation asked for (nothing is downloaded)."""
    from mmengine.runner.checkpoint import CheckpointLoader

    requested = []

    def record(filename, *args, **kwargs):
        requested.append(filename)
        raise RuntimeError(f'test: no download of {filename}')

    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', staticmethod(record))
    cfg = Config.fromfile(REPO_ROOT / config)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    try:
        model.init_weights()
    except RuntimeError as err:
        if 'test: no download' not in str(err):
            raise
    return cfg, model, requested


def test_full_scale_teacher_starts_from_scratch(monkeypatch):
    cfg, model, requested = _loaded_checkpoints(TEACHER_FULL, monkeypatch)
    # Initialising the teacher loads no weights at all: no ImageNet-label information.
    assert requested == []
    assert cfg.get('load_from') is None
    assert model.backbone.depth == 50
    assert cfg.model.backbone.get('init_cfg') is None
    # The encoder got mmpretrain's ResNet initialisation, which trained weights do not show:
    # BN weights 1, convolutions He-normal with std sqrt(2 / fan_out).
    assert torch.equal(model.backbone.norm1.weight, torch.ones(64))
    stem = model.backbone.conv1.weight  # (64, 3, 7, 7)
    expected = math.sqrt(2 / (64 * 7 * 7))
    assert abs(stem.std().item() - expected) < 0.1 * expected
    # Every student config that names a teacher names this one (or the CPU one).
    for config in glob.glob(str(REPO_ROOT / STUDENT / '*.py')):
        teacher = Config.fromfile(config).get('teacher_config')
        if teacher is not None:
            assert teacher in (TEACHER_FULL, TEACHER_CPU), (config, teacher)


def test_supervised_init_teacher_is_named_so_and_differs_only_in_its_init(monkeypatch):
    assert 'supervised-init' in Path(TEACHER_SUPERVISED_INIT).name
    assert 'supervised' not in Path(TEACHER_FULL).name
    cfg, _, requested = _loaded_checkpoints(TEACHER_SUPERVISED_INIT, monkeypatch)
    assert requested == ['torchvision://resnet50']  # supervised ImageNet-1k weights
    default = Config.fromfile(REPO_ROOT / TEACHER_FULL)
    assert cfg.model.backbone.pop('init_cfg') == dict(type='Pretrained',
                                                        checkpoint='torchvision://resnet50')
    assert cfg.model == default.model
    assert cfg.train_dataloader == default.train_dataloader
    assert cfg.param_scheduler == default.param_scheduler


@pytest.fixture(scope='module')
def teacher_run(tmp_path_factory):
    """The CPU teacher config trained a few iterations, validated on two held-out images."""
    if not (DATA_ROOT / 'osie').exists():
        return None
    work = tmp_path_factory.mktemp('teacher')
    run_tool(['tools/train.py', TEACHER_CPU, '--work-dir', work, '--cfg-options', *RUN,
              *in_process_loading(TEACHER_CPU), 'train_dataloader.dataset.indices=4',
              'train_dataloader.batch_size=2', 'val_dataloader.dataset.indices=2',
              'train_cfg.val_interval=1'])
    return work


def test_teacher_cpu_config_trains_and_validates(teacher_run, shared_data):
    shared_data('osie')
    records = train_records(teacher_run, ('loss_kld', 'loss_cc', 'loss_nss'))
    assert len(records) == 2
    (val, ) = [r for r in scalars(teacher_run) if 'saliency/nss' in r]
    assert {'saliency/cc', 'saliency/kld', 'saliency/sim', 'saliency/auc_judd',
            'saliency/center_bias_nss'} <= set(val)


@pytest.fixture(scope='module')
def teacher_maps(teacher_run, tmp_path_factory):
    """Maps of 4 BSDS500 and 4 OSIE-train images, written with the trained teacher."""
    if teacher_run is None or not (DATA_ROOT / 'bsds500').exists():
        return None
    folder = tmp_path_factory.mktemp('teacher_maps')
    sources = folder / 'sources'
    sources.mkdir()
    picks = [*sorted((DATA_ROOT / 'bsds500' / 'images' / 'train').glob('*.jpg'))[:4],
             *sorted((DATA_ROOT / 'osie' / 'images').glob('*.jpg'))[:4]]
    for path in picks:
        (sources / path.name).symlink_to(path)
    run_tool(['tools/gen_saliency.py', TEACHER_CPU, teacher_run / 'epoch_1.pth', '--images',
              sources, '--out-dir', folder / 'maps', '--num-workers', '0'])
    return folder / 'maps'


def student_options(config, maps, teacher_checkpoint):
    """cfg-options that shrink a student config to 6-8 images, 2 iterations."""
    cfg = Config.fromfile(REPO_ROOT / config)
    dataset = cfg.train_dataloader.dataset.type
    if dataset == 'VOCObjectCrops':  # BCCD crops: 2 per class
        options = ['train_dataloader.batch_size=3', 'train_dataloader.dataset.max_per_class=2']
    elif dataset == 'SaliencyImageFolder':  # teacher maps from files: the 8 images with maps
        options = ['train_dataloader.batch_size=4',
                   f'train_dataloader.dataset.saliency_dir={maps}']
    elif dataset == 'ImageFolder':  # maps made on the fly: any 8 images
        options = ['train_dataloader.batch_size=4', 'train_dataloader.dataset.indices=8']
    else:  # BSDS500 + OSIE-train as a ConcatDataset
        options = ['train_dataloader.batch_size=4', 'train_dataloader.dataset.datasets.0.indices=4',
                   'train_dataloader.dataset.datasets.1.indices=4']
    if cfg.model.type == 'GuidedMoCo':
        options.append('model.queue_len=16')
    if any(hook.type == 'OnlineTeacherHook' for hook in cfg.get('custom_hooks', [])):
        options.append(f'custom_hooks.0.checkpoint={teacher_checkpoint}')
    return [*RUN, *in_process_loading(config), *options]


SCORED_CPU = STUDENT + 'simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py'
STUDENT_CPU = [cpu for full, cpu in SIBLINGS.items() if full.startswith(STUDENT)]


def assert_student_trained(config, work_dir):
    """Two iterations logged, with finite contrastive / classification and attention terms."""
    model = Config.fromfile(REPO_ROOT / config).model
    has_head = model.attention_losses.get('teacher') is not None
    keys = ('loss_attn_kld', 'loss_attn_nss') if has_head else ()
    keys += {'GuidedImageClassifier': ('loss_cls', ), 'GuidedMoCo': ('loss_moco', ),
             'GuidedSimCLR': ('loss_simclr', ), 'GuidedBYOL': ('loss_byol', )}[model.type]
    records = train_records(work_dir, keys)
    assert len(records) == 2
    if not has_head:
        assert not any('loss_attn_kld' in r for r in records)


@pytest.mark.parametrize('config', [c for c in STUDENT_CPU if c != SCORED_CPU])
def test_student_cpu_config_trains(config, teacher_run, teacher_maps, tmp_path, shared_data):
    if 'caltech101' in config:
        shared_data('caltech101')
    else:
        shared_data('bccd' if 'bccd' in config else 'bsds500'), shared_data('osie')
    options = student_options(config, teacher_maps, teacher_run / 'epoch_1.pth')
    run_tool(['tools/train.py', config, '--work-dir', tmp_path, '--no-validate',
              '--cfg-options', *options])
    assert_student_trained(config, tmp_path)


def test_student_trains_and_its_attention_is_scored_against_humans_and_the_teacher(
        teacher_run, teacher_maps, tmp_path, shared_data):
    shared_data('bsds500'), shared_data('osie')
    config = SCORED_CPU
    run_tool(['tools/train.py', config, '--work-dir', tmp_path, '--cfg-options',
              *student_options(config, teacher_maps, teacher_run / 'epoch_1.pth'),
              'train_cfg.val_interval=1', 'val_dataloader.dataset.indices=2'])
    assert_student_trained(config, tmp_path)
    (val, ) = [r for r in scalars(tmp_path) if 'saliency/cc' in r]
    assert {'saliency/nss', 'saliency/center_bias_cc'} <= set(val)
    # tools/test.py: the attention against the teacher's maps (4 OSIE images with maps).
    metrics = tmp_path / 'metrics.json'
    run_tool(['tools/test.py', config, tmp_path / 'epoch_1.pth', '--work-dir', tmp_path / 'test',
              '--out', metrics, '--out-item', 'metrics', '--cfg-options',
              *in_process_loading(config),
              f'test_dataloader.dataset.saliency_dir={teacher_maps}'])
    scores = json.loads(metrics.read_text())
    assert {'teacher_agreement/cc', 'teacher_agreement/nss',
            'teacher_agreement/center_bias_cc'} <= set(scores)
    assert all(math.isfinite(v) for v in scores.values())


SIMCLR_TEACHER = STUDENT + 'simclr-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py'
SIMCLR_CENTRE = STUDENT + 'simclr-centre-attn_resnet50_16xb256-coslr-200e_in1k.py'


@pytest.mark.parametrize('scale', ['full', 'cpu'])
def test_the_simclr_centre_prior_control_is_teacher_attention_with_another_map(scale):
    """SimCLR + teacher attention with each image's centre prior as the map: the same
    model, schedule and views; the CPU control also keeps the student's photos (listed by
    the teacher's maps, so OSIE's held-out images stay out), so only the pipeline differs."""
    teacher, centre = (SIMCLR_TEACHER, SIMCLR_CENTRE) if scale == 'full' else (
        SIBLINGS[SIMCLR_TEACHER], SIBLINGS[SIMCLR_CENTRE])
    teacher, centre = (Config.fromfile(REPO_ROOT / c).to_dict() for c in (teacher, centre))
    load_image, load_map, *rest = teacher['train_dataloader']['dataset'].pop('pipeline')
    assert load_map['type'] == 'LoadSaliencyMap'
    assert centre['train_dataloader']['dataset'].pop('pipeline') == [
        load_image, dict(type='EstimateSaliency', method='center_bias'), *rest]
    if scale == 'full':  # an ImageFolder of the same images: no map folder to read
        for cfg in (teacher, centre):
            cfg['train_dataloader'].pop('dataset')
    assert centre == teacher


CALTECH_SUPERVISED = [
    STUDENT + 'supervised_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py',
    STUDENT + 'supervised-teacher-attn_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py']


def test_caltech_supervised_baseline_is_the_teacher_config_without_loss_and_hook():
    baseline, teacher = (Config.fromfile(REPO_ROOT / c).to_dict() for c in CALTECH_SUPERVISED)
    assert teacher['custom_hooks'] == [dict(type='OnlineTeacherHook', teacher='default')]
    assert baseline['custom_hooks'] == [] and baseline['model']['attention_losses'] == dict(
        teacher=None)
    for cfg in (baseline, teacher):
        del cfg['custom_hooks'], cfg['model']['attention_losses']
    assert baseline == teacher


@pytest.mark.parametrize('config', CALTECH_SUPERVISED)
def test_caltech_supervised_configs_train(config, tmp_path, shared_data):
    shared_data('caltech101')
    run_tool(['tools/train.py', config, '--work-dir', tmp_path, '--no-validate',
              '--cfg-options', *RUN, *in_process_loading(config),
              'train_dataloader.dataset.indices=8', 'train_dataloader.batch_size=4'])
    assert_student_trained(config, tmp_path)
