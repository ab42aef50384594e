"""tools/vis_attention.py and tools/analysis/attention_alignment.py on CAST / MoCo configs."""
import csv

import mmcv
import numpy as np

from attn_plugins.saliency import center_bias
from tests.conftest import run_tool

CAST_CPU = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
MOCO_CPU = 'configs/cast/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'


def test_vis_attention_draws_a_grid_with_saliency(tmp_path):
    rng = np.random.RandomState(0)
    for name in ('a', 'b'):
        mmcv.imwrite(rng.randint(0, 255, (40, 60, 3)).astype(np.uint8),
                     str(tmp_path / 'images' / f'{name}.jpg'))
    mask = np.zeros((40, 60), np.uint8)
    mask[10:30, 20:40] = 255
    mmcv.imwrite(mask, str(tmp_path / 'masks' / 'a.png'))
    out = tmp_path / 'grid.png'
    proc = run_tool(['tools/vis_attention.py', CAST_CPU, 'none', tmp_path / 'images',
                     '--saliency-dir', tmp_path / 'masks', '--size', '32', '--out', out])
    assert f'attention overlays for 2 images: {out}' in proc.stdout
    # only a.jpg has a map: its view (32 px short side, centre square) holds the mask's
    # middle, so the center bias's CC is that of a Gaussian with this box, computed here
    view = np.zeros((32, 32))
    view[8:24, 8:24] = 1  # the 20x20 box of the 40x60 mask, scaled by 0.8 and centred
    expected = np.corrcoef(center_bias((32, 32)).ravel(), view.ravel())[0, 1]
    assert 'mean CC of attention and saliency over the 1 images with a map: ' in proc.stdout
    assert f'(center bias {expected:.3f})' in proc.stdout
    picture = mmcv.imread(str(out))
    assert picture is not None and picture.shape[0] > 200 and picture.shape[1] > 300


def test_alignment_tool_writes_tables_and_overlays(tmp_path, shared_data):
    root = shared_data('bsds500')
    out = tmp_path / 'align'
    proc = run_tool(['tools/analysis/attention_alignment.py',
                     '--model', 'cast', CAST_CPU, 'none', '--model', 'moco', MOCO_CPU, 'none',
                     '--masks', root, '--img-dirs', 'images/val', '--saliency-dir',
                     'sod_masks', '--size', '48', '--max-images', '3', '--out-dir', out])
    with open(out / 'alignment.csv') as f:
        rows = list(csv.DictReader(f))
    assert [r['model'] for r in rows] == ['center bias', 'cast', 'moco']
    for row in rows:
        assert row['images'] == '3'
        assert all(np.isfinite(float(row[m])) for m in ('nss', 'kld', 'cc', 'sim', 'auc_judd'))
    assert '| center bias | 3 |' in (out / 'alignment.md').read_text()
    assert mmcv.imread(str(out / 'overlays.png')) is not None
    assert 'overlays:' in proc.stdout
    # Each model is built after the same seed: CAST and MoCo v2 share the ResNet-18 and the
    # query-key score, so at their initial weights their Grad-CAMs score the same.
    assert [rows[1][m] for m in ('nss', 'cc')] == [rows[2][m] for m in ('nss', 'cc')]

    # Another seed draws other initial weights, and the same seed the same ones again.
    scores = {}
    for seed in ('1', '0'):
        run_tool(['tools/analysis/attention_alignment.py', '--model', 'moco', MOCO_CPU, 'none',
                  '--masks', root, '--img-dirs', 'images/val', '--saliency-dir', 'sod_masks',
                  '--size', '48', '--max-images', '3', '--seed', seed,
                  '--out-dir', tmp_path / seed])
        with open(tmp_path / seed / 'alignment.csv') as f:
            scores[seed] = list(csv.DictReader(f))[1]['nss']
    assert scores['0'] == rows[2]['nss'] and scores['1'] != rows[2]['nss']


def test_alignment_tool_reads_a_named_layer_and_can_skip_overlays(tmp_path, shared_data):
    root = shared_data('bsds500')
    common = ['--model', 'moco', MOCO_CPU, 'none', '--masks', root, '--img-dirs', 'images/val',
              '--saliency-dir', 'sod_masks', '--size', '48', '--max-images', '2',
              '--overlays', '0']
    out = tmp_path / 'layer3'
    proc = run_tool(['tools/analysis/attention_alignment.py', *common,
                     '--gradcam-layer', 'backbone.layer3', '--out-dir', out])
    with open(out / 'alignment.csv') as f:
        assert [r['model'] for r in csv.DictReader(f)] == ['center bias', 'moco']
    assert not (out / 'overlays.png').exists() and 'overlays:' not in proc.stdout
    # a layer the backbone pass never runs is refused, naming the model
    proc = run_tool(['tools/analysis/attention_alignment.py', *common, '--gradcam-layer',
                     'neck', '--out-dir', tmp_path / 'neck'], check=False)
    assert proc.returncode != 0
    assert f"moco ({MOCO_CPU}): Grad-CAM layer 'neck' ran 0 times" in proc.stderr
