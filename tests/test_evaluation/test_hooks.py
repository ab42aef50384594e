"""AttentionAlignmentHook and CorruptionAccuracyHook inside a short tools/train.py run."""
import json

import pytest

from tests.conftest import REPO_ROOT, run_tool

VARS_CPU = REPO_ROOT / 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'


def test_hooks_run_during_training_and_log_their_metrics(tmp_path, shared_data):
    osie = shared_data('osie')
    shared_data('bccd')
    small = dict(num_workers=0, persistent_workers=False)
    config = tmp_path / 'tiny.py'
    config.write_text(f'''_base_ = {str(VARS_CPU)!r}
train_dataloader = dict(batch_size=8, dataset=dict(max_per_class=4), **{small!r})
val_dataloader = dict(dataset=dict(max_per_class=2), **{small!r})
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2, val_interval=2)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
custom_hooks = [
    dict(type='AttentionAlignmentHook', interval=1, size=32,
         data=dict(osie={str(osie)!r}, split='val', max_images=2)),
    dict(type='CorruptionAccuracyHook', corruptions=['fog', 'glass_blur'], severities=[2],
         interval=2, max_images=5),
]
''')
    work_dir = tmp_path / 'work'
    proc = run_tool(['tools/train.py', config, '--work-dir', work_dir],
                    env=dict(OMP_NUM_THREADS='1'))
    log = proc.stdout + proc.stderr
    assert 'AttentionAlignmentHook: 2 images, input short side 32' in log
    for epoch in (1, 2):
        assert f'Epoch(alignment) [{epoch}]' in log
    assert 'Epoch(corruption) [2]' in log and 'Epoch(corruption) [1]' not in log

    scalars = [json.loads(line) for line in
               next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    alignment = [s for s in scalars if 'alignment/nss' in s]
    assert [s['step'] for s in alignment] == [1, 2]
    for record in alignment:
        for metric in ('nss', 'kld', 'cc', 'sim', 'auc_judd'):
            assert f'alignment/center_bias_{metric}' in record
        assert -1 <= record['alignment/cc'] <= 1
    # The center bias is the same images' baseline each time.
    assert alignment[0]['alignment/center_bias_nss'] == alignment[1]['alignment/center_bias_nss']
    corruption = [s for s in scalars if 'corruption/mean' in s]
    assert len(corruption) == 1 and corruption[0]['step'] == 2
    record = corruption[0]
    assert record['corruption/mean'] == pytest.approx(
        (record['corruption/fog_s2'] + record['corruption/glass_blur_s2']) / 2)
    assert all(0 <= record[k] <= 100 for k in record if k.startswith('corruption/'))


def test_hook_arguments_are_checked():
    from attn_plugins.evaluation import AttentionAlignmentHook, CorruptionAccuracyHook

    with pytest.raises(ValueError, match="unknown metrics \\['auc'\\]"):
        AttentionAlignmentHook(data=dict(osie='x'), metrics=('auc', ))
    with pytest.raises(ValueError, match='interval must be >= 1'):
        AttentionAlignmentHook(data=dict(osie='x'), interval=0)
    with pytest.raises(ValueError, match="unknown corruptions or severities \\['rain', 7\\]"):
        CorruptionAccuracyHook(corruptions=('fog', 'rain'), severities=(7, ))
    with pytest.raises(ValueError, match="dataloader must be 'val' or 'test'"):
        CorruptionAccuracyHook(dataloader='train')
