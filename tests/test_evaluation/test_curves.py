"""Training curves from mmengine's vis_data/scalars.json: reading, plotting, the tool."""
import json
import os
import re

import numpy as np
import pytest
from PIL import Image

from attn_plugins.evaluation import (find_scalars_file, moving_average, plot_scalar_curves,
                                     read_scalars)
from attn_plugins.evaluation.scalars import step_label
from tests.conftest import REPO_ROOT, run_tool

# As LoggerHook writes them for an epoch-based run: training lines every 2 iterations
# (step = iter), a validation line per epoch (step = epoch, no iter).
TRAIN = [dict(lr=0.1, data_time=0.01, loss=2.0 - 0.1 * i, loss_moco=1.5 - 0.05 * i,
              time=0.5, epoch=1 + i // 2, iter=2 * (i + 1), step=2 * (i + 1))
         for i in range(4)]
VAL = [{'saliency/nss': 0.8, 'data_time': 0.2, 'time': 1.0, 'step': 1},
       {'saliency/nss': 1.1, 'data_time': 0.2, 'time': 1.0, 'step': 2}]


def write_run(work_dir, timestamp, records, tail=''):
    path = work_dir / timestamp / 'vis_data' / 'scalars.json'
    path.parent.mkdir(parents=True)
    path.write_text(''.join(json.dumps(r) + '\n' for r in records) + tail)
    return path


def synthetic_run(work_dir, timestamp='20240101_120000', scale=1.0):
    records = [TRAIN[0], TRAIN[1], VAL[0], TRAIN[2], TRAIN[3], VAL[1]]
    records = [{k: v * scale if k.startswith('loss') else v for k, v in r.items()}
               for r in records]
    return write_run(work_dir, timestamp, records)


def test_read_scalars_returns_the_logged_values(tmp_path):
    path = synthetic_run(tmp_path)
    scalars = read_scalars(str(path))
    assert scalars['loss'] == [(r['step'], r['loss']) for r in TRAIN]
    assert scalars['loss'][:2] == [(2, 2.0), (4, 1.9)]
    assert scalars['loss_moco'] == [(r['step'], r['loss_moco']) for r in TRAIN]
    assert scalars['lr'] == [(2, 0.1), (4, 0.1), (6, 0.1), (8, 0.1)]
    assert scalars['epoch'] == [(2, 1.0), (4, 1.0), (6, 2.0), (8, 2.0)]
    # Validation lines: their own keys, their own step (the epoch), no clash on time.
    assert scalars['val/saliency/nss'] == [(1, 0.8), (2, 1.1)]
    assert scalars['val/time'] == [(1, 1.0), (2, 1.0)] and len(scalars['time']) == 4
    assert 'step' not in scalars and 'iter' not in scalars
    assert step_label(scalars, 'loss') == 'iteration'
    assert step_label(scalars, 'val/saliency/nss') == 'epoch'
    assert set(scalars) == {'lr', 'data_time', 'loss', 'loss_moco', 'time', 'epoch',
                            'val/saliency/nss', 'val/data_time', 'val/time'}


def test_work_dir_and_timestamp_dir_find_the_newest_run(tmp_path):
    old = synthetic_run(tmp_path, '20240101_120000', scale=1.0)
    new = synthetic_run(tmp_path, '20240102_090000', scale=10.0)
    (tmp_path / '20240103_000000').mkdir()  # a test run: no scalars.json
    os.utime(old, (2e9, 2e9))  # touched later, still the older run by its timestamp
    assert find_scalars_file(str(tmp_path)) == str(new)
    assert read_scalars(str(tmp_path))['loss'][0] == (2, 20.0)
    assert read_scalars(str(old.parent.parent))['loss'][0] == (2, 2.0)


def test_hierarchy_keys_partial_last_line_and_iteration_loops(tmp_path):
    records = [{'train/loss': 1.0, 'train/lr': 0.1, 'iter': 5, 'step': 5},
               {'val/accuracy/top1': 50.0, 'val/time': 1.0, 'step': 1}]
    path = write_run(tmp_path, '20240101_000000', records, tail='{"loss": 0.9, "it')
    assert read_scalars(str(path)) == {'loss': [(5, 1.0)], 'lr': [(5, 0.1)],
                                       'val/accuracy/top1': [(1, 50.0)],
                                       'val/time': [(1, 1.0)]}
    # Iteration-based loop, LoggerHook(log_metric_by_epoch=True): every validation at step 0.
    records = [dict(loss=1.0, iter=10, step=10), {'mIoU': 40.0, 'step': 0},
               dict(loss=0.8, iter=20, step=20), {'mIoU': 45.0, 'step': 0}]
    path = write_run(tmp_path, '20240102_000000', records)
    with pytest.warns(UserWarning, match='log_metric_by_epoch=False'):
        scalars = read_scalars(str(path))
    assert scalars['val/mIoU'] == [(0, 40.0), (0, 45.0)]
    assert step_label(scalars, 'val/mIoU') == 'iteration'


def test_errors_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='no such work dir') as error:
        read_scalars(str(tmp_path / 'missing'))
    assert str(tmp_path / 'missing') in str(error.value)
    with pytest.raises(FileNotFoundError, match='LocalVisBackend') as error:
        read_scalars(str(tmp_path))
    assert str(tmp_path / '<timestamp>' / 'vis_data' / 'scalars.json') in str(error.value)
    synthetic_run(tmp_path / 'group' / 'cast')
    with pytest.raises(FileNotFoundError, match='work dirs below it: .*cast'):
        read_scalars(str(tmp_path / 'group'))
    path = write_run(tmp_path, '20240101_000000', [], tail='not json\n{"step": 1}\n')
    with pytest.raises(ValueError, match=f'{path}:1: not a JSON line'):
        read_scalars(str(path))
    path = write_run(tmp_path, '20240102_000000', [], tail='{"loss": 1.0}\n')
    with pytest.raises(ValueError, match=f'{path}:1: .*"step"'):
        read_scalars(str(path))  # not written by LocalVisBackend


def test_moving_average_matches_numpy():
    values = np.random.default_rng(0).normal(size=50)
    smoothed = moving_average(values, 5)
    full = np.convolve(values, np.ones(5) / 5, mode='valid')  # windows of exactly 5
    np.testing.assert_allclose(smoothed[4:], full)
    np.testing.assert_allclose(smoothed[:4], np.cumsum(values[:4]) / np.arange(1, 5))
    np.testing.assert_array_equal(moving_average(values, 1), values)
    with_nan = moving_average([1.0, float('nan'), 3.0, 5.0, 7.0], 2)
    np.testing.assert_allclose(with_nan, [1.0, np.nan, np.nan, 4.0, 6.0])


def test_plot_writes_a_picture(tmp_path):
    series = {'cast': read_scalars(str(synthetic_run(tmp_path / 'a'))),
              'moco': read_scalars(str(synthetic_run(tmp_path / 'b', scale=2.0)))}
    out = tmp_path / 'plots' / 'curves.png'
    assert plot_scalar_curves(series, ['loss', 'loss_moco', 'val/saliency/nss'], str(out),
                              smooth=2) == str(out)
    with Image.open(out) as image:
        assert image.width > 600 and image.height > 200
        assert len(image.convert('RGB').getcolors(maxcolors=1 << 20)) > 10
    with pytest.raises(ValueError, match='no run has nope; keys: .*loss_moco'):
        plot_scalar_curves(series, ['nope'], str(tmp_path / 'x.png'))


def test_plot_curves_tool(tmp_path):
    synthetic_run(tmp_path / 'cast')
    synthetic_run(tmp_path / 'moco', scale=2.0)
    out = tmp_path / 'curves.png'
    proc = run_tool(['tools/analysis/plot_curves.py', tmp_path / 'cast', tmp_path / 'moco',
                     '--names', 'CAST', 'MoCo', '--smooth', '2', '--out', out])
    assert f'[plot] curves: {out}' in proc.stdout
    assert '[plot] val/saliency/nss: last CAST 1.1 (epoch 2), MoCo 1.1 (epoch 2)' in proc.stdout
    assert '[plot] loss_moco: last CAST 1.35 (iteration 8), MoCo 2.7 (iteration 8)' in proc.stdout
    with Image.open(out) as image:
        assert image.width > 600
    proc = run_tool(['tools/analysis/plot_curves.py', tmp_path / 'cast', '--keys', 'loss',
                     'nope'], check=False)
    assert proc.returncode != 0
    assert 'no run logged nope; pass --keys from: lr data_time loss' in proc.stderr


def test_tool_examples_name_configs_of_this_repo():
    text = (REPO_ROOT / 'tools/analysis/plot_curves.py').read_text().split('"""')[1]
    names = set(re.findall(r'work_dirs/([\w.-]+)', text)) - {'cast_curves.png', 'curves.png'}
    assert len(names) == 4
    for name in names:
        assert list(REPO_ROOT.glob(f'configs/*/{name}.py')), name
