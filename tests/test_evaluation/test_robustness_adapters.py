"""ImageCorruption in a pipeline, insert_transform, and the runner-free evaluation loop."""
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmpretrain.registry import MODELS, TRANSFORMS

from attn_plugins.evaluation import (ImageCorruption, build_eval_dataloader, evaluate_model,
                                     insert_transform, metric_value)
from attn_plugins.robustness import corrupt
from tests.conftest import REPO_ROOT

VARS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(32, 32)),
            dict(type='PackInputs')]


def test_image_corruption_corrupts_rgb_and_seeds_per_sample():
    rng = np.random.RandomState(0)
    bgr = rng.randint(0, 256, (40, 48, 3)).astype(np.uint8)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        transform = TRANSFORMS.build(dict(type='ImageCorruption', corruption='frost',
                                          severity=4, seed=5))
    out = transform(dict(img=bgr.copy(), sample_idx=3))['img']
    assert out.shape == bgr.shape and out.dtype == np.uint8
    expected = corrupt(bgr[..., ::-1].copy(), 'frost', 4, seed=transform.sample_seed(3))
    assert np.array_equal(out, expected[..., ::-1])  # corrupted as RGB, returned as BGR
    assert np.array_equal(out, transform(dict(img=bgr.copy(), sample_idx=3))['img'])
    assert not np.array_equal(out, transform(dict(img=bgr.copy(), sample_idx=4))['img'])
    with pytest.raises(ValueError, match="unknown corruption 'rain'"):
        ImageCorruption('rain', 1)
    with pytest.raises(ValueError, match='severity must be 1 to 5'):
        ImageCorruption('fog', 0)
    with pytest.raises(ValueError, match='a.png is not an \\(H, W, 3\\) uint8 image'):
        transform(dict(img=bgr[..., 0], img_path='a.png'))


def test_insert_transform_positions():
    corruption = dict(type='ImageCorruption', corruption='fog', severity=1)
    before = insert_transform(PIPELINE, corruption)
    assert [t['type'] for t in before] == ['LoadImageFromFile', 'Resize', 'ImageCorruption',
                                           'PackInputs']
    after = insert_transform(PIPELINE, corruption, 'after_load')
    assert [t['type'] for t in after][:2] == ['LoadImageFromFile', 'ImageCorruption']
    assert len(PIPELINE) == 3  # the original is left alone
    with pytest.raises(ValueError, match='no packing transform'):
        insert_transform(PIPELINE[:2], corruption)
    with pytest.raises(ValueError, match='position must be one of'):
        insert_transform(PIPELINE, corruption, 'end')


@pytest.fixture
def class_folder(tmp_path):
    rng = np.random.RandomState(0)
    for label in range(3):
        for i in range(4):
            img = np.full((36, 36, 3), 60 * label + 40, np.uint8)
            img = np.clip(img + rng.randint(-30, 30, img.shape), 0, 255).astype(np.uint8)
            mmcv.imwrite(img, str(tmp_path / f'c{label}' / f'{i}.png'))
    return tmp_path


def test_evaluation_loop_scores_like_the_model_predicts(class_folder):
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(REPO_ROOT / VARS_CPU)
    cfg.model.data_preprocessor = cfg.data_preprocessor
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    loader_cfg = dict(batch_size=5, num_workers=0, sampler=dict(type='DefaultSampler',
                                                                shuffle=False),
                      dataset=dict(type='CustomDataset', data_root=str(class_folder),
                                   pipeline=PIPELINE))
    evaluator = dict(type='Accuracy', topk=(1, ))

    subset = build_eval_dataloader(loader_cfg, max_images=5, seed=1)
    assert len(subset.dataset) == 5
    paths = [subset.dataset.get_data_info(i)['img_path'] for i in range(5)]
    again = build_eval_dataloader(loader_cfg, max_images=5, seed=1).dataset
    assert paths == [again.get_data_info(i)['img_path'] for i in range(5)]
    other = build_eval_dataloader(loader_cfg, max_images=5, seed=2).dataset
    assert paths != [other.get_data_info(i)['img_path'] for i in range(5)]

    loader = build_eval_dataloader(
        loader_cfg, dict(type='ImageCorruption', corruption='contrast', severity=5))
    assert [type(t).__name__ for t in loader.dataset.pipeline.transforms] == [
        'LoadImageFromFile', 'Resize', 'ImageCorruption', 'PackInputs']
    metrics = evaluate_model(model, loader, evaluator)
    # Independently: the model's own predictions on the same batches.
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for batch in loader:
            for sample in model.test_step(batch):
                correct += int(sample.pred_label == sample.gt_label)
                total += 1
    assert total == 12
    assert metric_value(metrics) == pytest.approx(100 * correct / total)
    with pytest.raises(KeyError, match="metric 'accuracy/top5' not among"):
        metric_value(metrics, 'accuracy/top5')
