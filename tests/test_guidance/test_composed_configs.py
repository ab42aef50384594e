"""The composed configs: each full config builds with every loss it names, and each CPU
sibling trains through tools/train.py logging every loss term."""
import glob
import json
import math
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from tests.conftest import REPO_ROOT, run_tool

COMPOSED = 'configs/composed/'
SIBLINGS = {
    COMPOSED + 'cast-teacher-attn-mocov2_resnet50_8xb32-coslr-200e_coco.py':
        COMPOSED + 'cast-teacher-attn-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',
    COMPOSED + 'cast-mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py':
        COMPOSED + 'cast-mocov3_vars-d-vit-small-p16_1xb32-coslr-2e_bsds-sod_cpu.py',
    COMPOSED + 'supervised-atcon-loss_resnet50_1xb16-adam-100e_voc2012-16shot.py':
        COMPOSED + 'supervised-atcon-loss_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py',
}
# Second CPU scales of a full config, trained with their experiment's other arms
# (tests/test_cast/test_caltech_scale_configs.py).
MORE_CPU_SCALES = {
    COMPOSED + 'cast-teacher-attn-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'}
TERMS = {'cast': ('loss_cast', 'cast_valid'), 'teacher': ('loss_attn_kld', 'loss_attn_nss'),
         'atcon': ('loss_consistency', )}
ALGORITHM_TERM = {'GuidedMoCo': 'loss_moco', 'GuidedMoCoV3': 'loss_mocov3',
                  'GuidedImageClassifier': 'loss_cls'}
# (shared data, cfg-options for two training steps)
SMALL_RUN = {
    'bsds-sod': ('bsds500', ['train_dataloader.dataset.indices=8',
                             'train_dataloader.batch_size=4']),
    'bccd': ('bccd', ['train_dataloader.sampler.shots=1', 'train_dataloader.batch_size=2']),
}


def test_the_folder_holds_exactly_the_listed_pairs():
    found = {str(Path(p).relative_to(REPO_ROOT))
             for p in glob.glob(str(REPO_ROOT / COMPOSED / '*.py'))}
    assert found == set(SIBLINGS) | set(SIBLINGS.values()) | MORE_CPU_SCALES


@pytest.mark.parametrize('config', sorted(SIBLINGS))
def test_full_config_builds_with_its_losses(config):
    cfg = Config.fromfile(REPO_ROOT / config)
    init_default_scope('mmpretrain')
    cfg.model.get('backbone', {}).pop('init_cfg', None)  # no ImageNet weights to fetch
    model = MODELS.build(cfg.model)
    assert list(model.attention_losses) == list(cfg.model.attention_losses)
    cpu = Config.fromfile(REPO_ROOT / SIBLINGS[config])
    assert cpu.model.type == cfg.model.type
    assert set(cpu.model.attention_losses) == set(cfg.model.attention_losses)


@pytest.mark.parametrize('config', sorted(SIBLINGS.values()))
def test_cpu_sibling_trains_and_logs_every_term(config, tmp_path, shared_data):
    data, options = SMALL_RUN[next(key for key in SMALL_RUN if key in config)]
    shared_data(data)
    cfg = Config.fromfile(REPO_ROOT / config)
    in_process = [f'{loader}.{key}'
                  for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
                  if cfg.get(loader) for key in ('num_workers=0', 'persistent_workers=False')]
    options = [*options, *in_process, 'train_cfg.max_epochs=1',
               'default_hooks.logger.interval=1']
    if cfg.model.type == 'GuidedMoCo':
        options.append('model.queue_len=16')
    run_tool(['tools/train.py', config, '--work-dir', tmp_path, '--cfg-options', *options])
    records = [json.loads(line) for line in
               next(tmp_path.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    records = [record for record in records if 'loss' in record]  # not validation lines
    assert len(records) == 2  # two training steps
    keys = [ALGORITHM_TERM[cfg.model.type]]
    keys += [key for name in cfg.model.attention_losses for key in TERMS[name]]
    for record in records:
        assert all(math.isfinite(record[key]) for key in keys), record
        losses = sum(record[key] for key in keys if key.startswith('loss_'))
        assert record['loss'] == pytest.approx(losses, abs=1e-4)
