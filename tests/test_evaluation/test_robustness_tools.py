"""The three evaluation tools end to end on tiny data: files written, numbers consistent,
finished corruption cells reused."""
import csv
import re

import mmcv
import numpy as np
import pytest
import torch

from attn_plugins.engine.launch import load_model
from attn_plugins.robustness import corruption_errors
from tests.conftest import REPO_ROOT, load_tool

VARS_CPU = REPO_ROOT / 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'
TEACHER_CPU = (REPO_ROOT / 'configs/saliency_teacher/'
               'saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py')


def tool(name):
    """The analysis tool's module, to call its main(argv) in this process."""
    return load_tool(f'analysis/{name}')


@pytest.fixture(scope='module')
def tiny_setup(tmp_path_factory):
    """A classifier config whose test set is 3 classes x 4 synthetic 36x36 images (a disc of
    the class colour on a textured background), and checkpoints of a VARS-D and a
    self-attention ViT."""
    root = tmp_path_factory.mktemp('robustness_tools')
    rng = np.random.RandomState(0)
    yy, xx = np.mgrid[:36, :36]
    for label, colour in enumerate(((220, 40, 40), (40, 200, 40), (40, 40, 220))):
        for i in range(4):
            img = (rng.rand(36, 36, 3) * 60 + 90).astype(np.uint8)
            cy, cx = rng.randint(15, 21, 2)
            img[(yy - cy) ** 2 + (xx - cx) ** 2 < 64] = colour
            mmcv.imwrite(img, str(root / 'data' / f'c{label}' / f'{i}.png'))
    config = root / 'tiny.py'
    config.write_text(f'''_base_ = {str(VARS_CPU)!r}
test_dataloader = dict(num_workers=0, persistent_workers=False, batch_size=4, dataset=dict(
    _delete_=True, type='CustomDataset', data_root={str(root / 'data')!r},
    pipeline=[dict(type='LoadImageFromFile'), dict(type='Resize', scale=(32, 32)),
              dict(type='PackInputs')]))
''')
    checkpoints = {}
    for name, options in (('vars', None), ('vit', {'model.backbone.attn_cfgs': None})):
        torch.manual_seed(0)
        model = load_model(str(config), cfg_options=options)
        checkpoints[name] = root / f'{name}.pth'
        torch.save(dict(state_dict=model.state_dict()), checkpoints[name])
    return config, checkpoints


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_corruption_tool_writes_tables_and_plot_and_resumes(tiny_setup, tmp_path, capsys):
    config, ckpt = tiny_setup
    out = tmp_path / 'corruption'
    argv = [str(config), str(ckpt['vars']), '--name', 'VARS-D', '--baseline', str(config),
            str(ckpt['vit']), '--baseline-name', 'ViT', '--baseline-cfg-options',
            'model.backbone.attn_cfgs=None', '--corruptions', 'glass_blur', 'fog',
            '--severities', '1', '3', '--max-images', '6', '--out-dir', str(out)]
    tool('corruption_robustness').main(argv)
    first = capsys.readouterr().out
    assert first.count('0 of 5 cells done before, 5 to evaluate') == 2
    rows = read_csv(out / 'robustness.csv')
    assert len(rows) == 2 * 5
    acc = {(r['model'], r['corruption'], int(r['severity'])): float(r['accuracy']) for r in rows}
    assert all(0 <= a <= 100 for a in acc.values())
    # The mCE in the Markdown is the CE arithmetic on the CSV's accuracies.
    errors = {m: {c: {s: 100 - acc[(m, c, s)] for s in (1, 3)} for c in ('glass_blur', 'fog')}
              for m in ('VARS-D', 'ViT')}
    expected = corruption_errors(errors['VARS-D'], errors['ViT'])['mce']
    text = (out / 'robustness.md').read_text()
    assert re.search(r'\| \*\*mCE\*\* \| ([0-9.]+) \|', text).group(1) == f'{expected:.3f}'
    assert '| glass_blur |' in text and '| fog |' in text
    assert mmcv.imread(str(out / 'corruption_accuracy.png')) is not None

    tool('corruption_robustness').main(argv)  # again: every cell comes from cells.json
    assert capsys.readouterr().out.count('5 of 5 cells done before, 0 to evaluate') == 2
    assert read_csv(out / 'robustness.csv') == rows


def test_background_tool_writes_tables_and_pictures(tiny_setup, tmp_path, capsys):
    config, ckpt = tiny_setup
    out = tmp_path / 'background'
    tool('background_robustness').main(
        [str(config), str(ckpt['vars']), '--name', 'VARS-D', '--out-dir', str(out),
         '--examples', '2'])
    rows = read_csv(out / 'background.csv')
    assert [r['model'] for r in rows] == ['VARS-D']
    variants = ('original', 'only_fg', 'mixed_same', 'mixed_rand', 'mixed_next')
    assert all(0 <= float(rows[0][v]) <= 100 for v in variants)
    assert float(rows[0]['BG-Gap']) == pytest.approx(
        float(rows[0]['mixed_same']) - float(rows[0]['mixed_rand']), abs=1e-3)
    text = (out / 'background.md').read_text()
    assert 'on the 12 of 12 test images' in text and 'GrabCut' in text
    for picture in ('background_accuracy.png', 'examples.png'):
        assert mmcv.imread(str(out / picture)) is not None


def test_alignment_tool_scores_vars_and_teacher_on_osie(tmp_path, shared_data, capsys):
    out = tmp_path / 'align'
    tool('attention_alignment').main(
        ['--model', 'vars', str(VARS_CPU), 'none', '--model', 'teacher', str(TEACHER_CPU),
         'none', '--osie', str(shared_data('osie')), '--max-images', '2', '--size', '32',
         '--out-dir', str(out)])
    rows = read_csv(out / 'alignment.csv')
    assert [r['model'] for r in rows] == ['center bias', 'vars', 'teacher']
    assert all(np.isfinite(float(r[m])) for r in rows for m in ('nss', 'kld', 'cc'))
    for picture in ('alignment.png', 'overlays.png'):
        assert mmcv.imread(str(out / picture)) is not None
