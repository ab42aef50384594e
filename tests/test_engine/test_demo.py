"""The README's demo command (`bash tools/demo.sh`), run through its Python entry point with
the README's arguments (none), in an empty folder: it must pretrain CAST on the scikit-image
photos and leave the attention pictures, a checkpoint and a summary that describes them."""
import json
from pathlib import Path

from PIL import Image

from tests.conftest import REPO_ROOT, run_tool


def test_readme_demo_writes_picture_summary_and_checkpoint(tmp_path):
    proc = run_tool([REPO_ROOT / 'tools' / 'demo.py'], cwd=tmp_path)

    work_dir = tmp_path / 'work_dirs' / 'demo'
    summary_path = work_dir / 'summary.json'
    assert f'[demo] summary: {summary_path}' in proc.stdout
    summary = json.loads(summary_path.read_text())
    assert summary['method'] == 'cast'
    assert summary['saliency'] == 'spectral residual'
    # 16 photos x 20 repeats per epoch, batches of 16, 4 epochs.
    assert summary['images'] == 16 and summary['iterations'] == 4 * 20

    # Both CAST terms and their sum were logged; the loss fell (the Grad-CAM term learns
    # fastest; 80 iterations against a 16-key queue barely move the contrastive term).
    losses = summary['losses']
    assert {'loss', 'loss_moco', 'loss_cast'} <= set(losses)
    for name in ('loss', 'loss_cast'):
        assert losses[name]['last_5_mean'] < losses[name]['first_5_mean'], name

    # What the demo is for: after CAST, Grad-CAM follows the saliency maps more closely.
    agreement = summary['attention_saliency_cc']
    assert -1.0 <= agreement['initial'] < agreement['trained'] <= 1.0

    picture = Path(summary['attention_picture'])
    assert picture == work_dir / 'attention.png'
    assert f'[demo] attention picture: {picture}' in proc.stdout
    for path in (picture, work_dir / 'attention_init.png'):
        with Image.open(path) as img:
            # One row per photo, several panels per row: a real grid, not an empty canvas.
            assert img.width > 200 and img.height > 200
            assert len(set(img.convert('L').getdata())) > 50
    curves = Path(summary['loss_curves'])
    assert f'[demo] loss curves: {curves}' in proc.stdout
    with Image.open(curves) as img:
        assert len(set(img.convert('L').getdata())) > 10
    assert Path(summary['checkpoint']).is_file()
    assert Path(summary['log_dir']).is_dir()
