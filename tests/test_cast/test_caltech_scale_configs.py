"""CAST's Caltech-101 CPU-scale arms: each differs from the one below it only in what its
name says (crop-only: the crop and its saliency data; CAST: the grounding loss), the
teacher maps pair with the train images by path, and CAST trains through tools/train.py."""
import json

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

import attn_plugins  # noqa: F401
from tests.conftest import REPO_ROOT, run_tool, shared_data_path

MOCOV2 = 'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'
CROP = 'configs/cast/mocov2-saliency-crop_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'
CAST = 'configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'


def load(path):
    return Config.fromfile(str(REPO_ROOT / path)).to_dict()


def test_each_arm_changes_only_what_its_name_says():
    mocov2, crop, cast = load(MOCOV2), load(CROP), load(CAST)
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'randomness', 'auto_scale_lr'):
        assert mocov2.get(key) == crop.get(key) == cast.get(key), key
    # MoCo v2's optimiser, not the release's clipped one: clipping would be a second change
    assert 'clip_grad' not in cast['optim_wrapper']
    assert mocov2['model'] == crop['model']
    loader = {k: v for k, v in mocov2['train_dataloader'].items() if k != 'dataset'}
    assert loader == {k: v for k, v in crop['train_dataloader'].items() if k != 'dataset'}
    assert crop['train_dataloader'] == cast['train_dataloader']
    # the same unlabelled pool: Caltech-101 train, no test image
    for key in ('data_root', 'img_dirs', 'ann_file'):
        assert mocov2['train_dataloader']['dataset'][key] == crop['train_dataloader'][
            'dataset'][key]
    added = {k: v for k, v in cast['model'].items() if crop['model'].get(k) != v}
    assert added == dict(type='GuidedMoCo', algorithm_weight=1.0, attention_losses=dict(
        cast=dict(type='CASTGroundingLoss', loss_weight=3.0, layer='backbone.layer3',
                  mask_threshold=0.5)))


def write_maps(tmp_path, count=16):
    """Maps (a bright centre box, at each image's size) for the first ``count`` train images,
    in the tree layout, and a list file of those images."""
    root = shared_data_path('caltech101')
    names = (root / 'train.txt').read_text().split()[:count]
    for name in names:
        height, width = cv2.imread(str(root / 'images' / name)).shape[:2]
        saliency = np.zeros((height, width), np.uint8)
        saliency[height // 4:3 * height // 4, width // 4:3 * width // 4] = 255
        path = tmp_path / 'maps' / name.rsplit('.', 1)[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(f'{path}.png', saliency)
    (tmp_path / 'list.txt').write_text('\n'.join(names) + '\n')
    return names


def test_crop_only_views_and_maps(tmp_path):
    names = write_maps(tmp_path, 4)
    cfg = Config.fromfile(str(REPO_ROOT / CROP))
    init_default_scope('mmpretrain')
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = str(shared_data_path('caltech101').parent) + '/'
    dataset_cfg.update(ann_file=str(tmp_path / 'list.txt'), saliency_dir=str(tmp_path / 'maps'))
    dataset = DATASETS.build(dataset_cfg)
    assert [dataset.get_data_info(i)['saliency_path'].split('/maps/')[1]
            for i in range(len(dataset))] == [n.rsplit('.', 1)[0] + '.png' for n in names]
    sample = dataset[0]
    assert [tuple(view.shape) for view in sample['inputs']] == [(3, 64, 64)] * 2
    saliency = sample['data_samples'].saliency
    assert tuple(saliency.shape[-2:]) == (16, 16) and 0 < float(saliency.mean()) < 1


def test_cast_trains_with_both_terms(tmp_path):
    write_maps(tmp_path, 16)
    work = tmp_path / 'work'
    run_tool(['tools/train.py', CAST, '--work-dir', work, '--cfg-options',
              f'train_dataloader.dataset.ann_file={tmp_path / "list.txt"}',
              f'train_dataloader.dataset.saliency_dir={tmp_path / "maps"}',
              'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False', 'model.queue_len=64',
              'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1'])
    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert len(scalars) == 2  # 16 images, 8 per step
    for entry in scalars:
        assert np.isfinite(entry['loss_moco']) and np.isfinite(entry['loss_cast'])
        assert entry['cast_valid'] > 0.5  # the centre boxes cover a quarter of each image
        assert abs(entry['loss'] - entry['loss_moco'] - entry['loss_cast']) < 1e-4
