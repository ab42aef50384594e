"""KNNAccuracyHook inside a short tools/train.py run of MoCo v2: it logs knn/top1 each
epoch, and the last value equals the kNN accuracy of the saved checkpoint computed
independently by the frozen-feature evaluation."""
import json

import pytest

from tests.conftest import REPO_ROOT, run_tool

MOCO_CPU = REPO_ROOT / 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'
SNIPPET = REPO_ROOT / 'configs/_base_/hooks/knn_caltech101.py'


def test_knn_hook_logs_the_encoders_knn_accuracy(tmp_path, faint_set):
    config = tmp_path / 'tiny_moco.py'
    config.write_text(f'''_base_ = [{str(MOCO_CPU)!r}, {str(SNIPPET)!r}]
model = dict(queue_len=16)
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={str(faint_set)!r}, img_dirs=['images']))
train_cfg = dict(max_epochs=2)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=2, by_epoch=True, begin=0, end=2)]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
custom_hooks = [dict(_base_.custom_hooks[0], data_root={str(faint_set)!r}, size=32,
                     max_train=None, max_test=10, k=5)]
''')
    work_dir = tmp_path / 'work'
    proc = run_tool(['tools/train.py', config, '--work-dir', work_dir],
                    env=dict(OMP_NUM_THREADS='1'))
    log = proc.stdout + proc.stderr
    assert 'KNNAccuracyHook: 24 bank and 10 test images, k=5' in log
    assert 'Epoch(knn) [1]' in log and 'Epoch(knn) [2]' in log
    scalars = [json.loads(line) for line in
               next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    knn = [s for s in scalars if 'knn/top1' in s]
    assert [s['step'] for s in knn] == [1, 2]

    # The same number from the saved weights, through the frozen-feature evaluation.
    import attn_plugins  # noqa: F401
    from attn_plugins.evaluation.frozen import (build_frozen_encoder, dataset_labels,
                                                eval_dataloader_cfg, extract_features,
                                                labelled_list_dataset)
    from attn_plugins.evaluation.eval_loader import build_eval_dataloader
    from attn_plugins.probes import knn_classify

    encoder, _ = build_frozen_encoder(str(config), str(work_dir / 'epoch_2.pth'))
    feats, labels = {}, {}
    for split, count in (('train', None), ('test', 10)):
        loader = build_eval_dataloader(eval_dataloader_cfg(
            labelled_list_dataset(str(faint_set), f'{split}.txt', 32)), max_images=count)
        feats[split] = extract_features(encoder, loader)
        labels[split] = dataset_labels(loader.dataset)
    expected = knn_classify(feats['train'], labels['train'], feats['test'], labels['test'], k=5)
    assert knn[-1]['knn/top1'] == pytest.approx(expected['top1'])
    assert knn[-1]['knn/mean_class'] == pytest.approx(expected['mean_class'])


def test_knn_hook_arguments_are_checked():
    from attn_plugins.evaluation.hooks import KNNAccuracyHook

    with pytest.raises(ValueError, match='give data_root .* or both train_dataset'):
        KNNAccuracyHook(train_dataset=dict(type='ClassFolderList'))
