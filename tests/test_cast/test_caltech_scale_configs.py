"""The Caltech-101 CPU-scale arms on teacher maps: each differs from the one below it only in
what its name says (crop-only: the crop and its saliency data; CAST: the grounding loss;
teacher attention: the attention loss and the maps its views carry; CAST + teacher attention:
the second loss; co-training: the attention loss's targets, human fixations of mixed-in
images instead of the teacher's maps), the teacher maps pair with the train images by path,
and the arms with attention losses train through tools/train.py with every term."""
import json

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

import attn_plugins  # noqa: F401
from tests.conftest import REPO_ROOT, run_tool, shared_data_path

MOCOV2 = 'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'
CROP = 'configs/cast/mocov2-saliency-crop_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'
CAST = 'configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'
TEACHER = ('configs/teacher_attention/'
           'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py')
COMPOSED = ('configs/composed/'
            'cast-teacher-attn-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py')
COTRAIN = ('configs/teacher_attention/'
           'mocov2-cotrain_resnet18_1xb64-coslr-100e_caltech101-human_cpu.py')
CENTRE = ('configs/teacher_attention/'
          'mocov2-centre-attn_resnet18_1xb64-coslr-100e_caltech101-centre_cpu.py')


def load(path):
    return Config.fromfile(str(REPO_ROOT / path)).to_dict()


def views(cfg):
    """The view pipeline of a config's two-view training data."""
    multiview = next(t for t in cfg['train_dataloader']['dataset']['pipeline']
                     if t['type'] in ('MultiView', 'SaliencyMultiView'))
    return multiview['transforms'][0]


def test_each_arm_changes_only_what_its_name_says():
    mocov2, crop, cast = load(MOCOV2), load(CROP), load(CAST)
    teacher, composed = load(TEACHER), load(COMPOSED)
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'randomness', 'auto_scale_lr'):
        assert mocov2.get(key) == crop.get(key) == cast.get(key) == teacher.get(key) == \
            composed.get(key), key
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

    # The saliency crops resize like MoCo v2's RandomResizedCrop (pillow, bilinear, same area
    # range); teacher attention's crop has no saliency constraint; the steps after the crop
    # are MoCo v2's, with flips that flip the map too.
    (rrc, *photometric), (teacher_crop, *teacher_rest) = views(mocov2), views(teacher)
    assert rrc['type'] == 'RandomResizedCrop' and rrc['backend'] == 'pillow'
    for cfg in (crop, cast, composed, teacher):
        saliency_crop = views(cfg)[0]
        assert saliency_crop['backend'] == rrc['backend']
        assert saliency_crop.get('interpolation', 'bilinear') == rrc.get(
            'interpolation', 'bilinear')
        assert (saliency_crop['scale'], saliency_crop['crop_ratio_range']) == (
            rrc['scale'], rrc['crop_ratio_range'])
    assert teacher_crop['min_salient_fraction'] == 0
    assert views(crop)[0]['min_salient_fraction'] == 0.2
    flip = dict(photometric[-1], type='SaliencyRandomFlip')
    assert teacher_rest == photometric[:-1] + [flip] == views(crop)[1:]
    assert {k: v for k, v in teacher['train_dataloader']['dataset'].items() if k != 'pipeline'} \
        == {k: v for k, v in crop['train_dataloader']['dataset'].items() if k != 'pipeline'}

    # Teacher attention adds its loss to MoCo v2; the composed model adds it to CAST.
    teacher_loss = dict(type='TeacherAttentionLoss', layer='backbone.layer3', attn_head=dict(
        type='SpatialAttentionHead', in_channels=256, hid_channels=64, lam=1.0, beta=1.0,
        fixation_from='topk', fixation_ratio=0.1), target_key='saliency')
    added = {k: v for k, v in teacher['model'].items() if mocov2['model'].get(k) != v}
    assert added == dict(type='GuidedMoCo', attention_losses=dict(teacher=teacher_loss))
    assert composed['train_dataloader'] == cast['train_dataloader']
    assert composed['model'] == dict(cast['model'], attention_losses=dict(
        cast['model']['attention_losses'], teacher=teacher_loss))

    # Co-training: the teacher-attention arm with the loss on human fixations, on MoCo v2's
    # pool plus the teacher's own training images (never its held-out ones), through the same
    # views at the view's size.
    cotrain = load(COTRAIN)
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'randomness', 'auto_scale_lr'):
        assert cotrain.get(key) == teacher.get(key), key
    assert cotrain['model'] == dict(teacher['model'], attention_losses=dict(teacher=dict(
        teacher_loss, target_key='fixation_density', fixation_key='fixation_map')))
    assert {k: v for k, v in cotrain['train_dataloader'].items() if k != 'dataset'} == \
        {k: v for k, v in teacher['train_dataloader'].items() if k != 'dataset'}
    caltech, osie, scene = cotrain['train_dataloader']['dataset']['datasets']
    for key in ('data_root', 'img_dirs', 'ann_file'):
        assert caltech[key] == mocov2['train_dataloader']['dataset'][key]
    assert (osie['type'], osie['split'], scene['type'], scene['split']) == (
        'OSIEFixations', 'train', 'SceneSaliencyFixations', 'train')
    for part in (caltech, osie, scene):
        multiview = next(t for t in part['pipeline'] if t['type'] == 'SaliencyMultiView')
        (crop, *rest), = multiview['transforms']
        assert dict(crop, map_size=16) == teacher_crop and rest == teacher_rest


def test_the_centre_prior_control_is_teacher_attention_with_another_map():
    """The control arm: teacher attention's model, loss, schedule and views on MoCo v2's
    unlabelled pool, with each image's centre prior as the map in place of the teacher's."""
    mocov2, teacher, centre = load(MOCOV2), load(TEACHER), load(CENTRE)
    for key in ('model', 'optim_wrapper', 'param_scheduler', 'train_cfg', 'randomness',
                'auto_scale_lr', 'default_hooks'):
        assert centre.get(key) == teacher.get(key), key
    assert {k: v for k, v in centre['train_dataloader'].items() if k != 'dataset'} == \
        {k: v for k, v in teacher['train_dataloader'].items() if k != 'dataset'}
    dataset = centre['train_dataloader']['dataset']
    assert {k: v for k, v in dataset.items() if k != 'pipeline'} == \
        {k: v for k, v in mocov2['train_dataloader']['dataset'].items() if k != 'pipeline'}
    load_image, load_map, *rest = teacher['train_dataloader']['dataset']['pipeline']
    assert load_map['type'] == 'LoadSaliencyMap'
    assert dataset['pipeline'] == [load_image, dict(type='EstimateSaliency',
                                                    method='center_bias'), *rest]


def test_the_centre_prior_control_views_carry_the_centre_prior():
    """With the crop made to take the whole image, each view's map is the image's centre
    prior (computed here, independently) at the map's size; a symmetric prior survives the
    flip."""
    from attn_plugins.saliency import center_bias

    init_default_scope('mmpretrain')
    cfg = Config.fromfile(str(REPO_ROOT / CENTRE))
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.update(data_root=str(shared_data_path('caltech101').parent) + '/', indices=1)
    image = cv2.imread(DATASETS.build(dataset_cfg).get_data_info(0)['img_path'])
    height, width = image.shape[:2]
    crop = dataset_cfg.pipeline[2].transforms[0][0]
    crop.update(crop_ratio_range=(1., 1.), aspect_ratio_range=(width / height, ) * 2)
    sample = DATASETS.build(dataset_cfg)[0]
    prior = center_bias((height, width))
    expected = cv2.resize((prior / prior.max()).astype(np.float32), (16, 16),
                          interpolation=cv2.INTER_AREA)
    maps = sample['data_samples'].saliency.reshape(-1, 16, 16).numpy()
    assert maps.shape == (2, 16, 16)
    for view_map in maps:
        np.testing.assert_allclose(view_map, expected, atol=0.02)


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


@pytest.mark.parametrize('config, terms', [
    (CAST, ('loss_moco', 'loss_cast')),
    (TEACHER, ('loss_moco', 'loss_attn_kld', 'loss_attn_nss')),
    (COMPOSED, ('loss_moco', 'loss_cast', 'loss_attn_kld', 'loss_attn_nss')),
], ids=['cast', 'teacher-attn', 'cast+teacher-attn'])
def test_attention_arms_train_with_every_term(tmp_path, config, terms):
    write_maps(tmp_path, 16)
    work = tmp_path / 'work'
    run_tool(['tools/train.py', config, '--work-dir', work, '--cfg-options',
              f'train_dataloader.dataset.ann_file={tmp_path / "list.txt"}',
              f'train_dataloader.dataset.saliency_dir={tmp_path / "maps"}',
              'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False', 'model.queue_len=64',
              'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1'])
    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert len(scalars) == 2  # 16 images, 8 per step
    for entry in scalars:
        assert all(np.isfinite(entry[term]) for term in terms)
        if 'loss_cast' in terms:  # the centre boxes cover a quarter of each image
            assert entry['cast_valid'] > 0.5
        assert abs(entry['loss'] - sum(entry[term] for term in terms)) < 1e-4


def test_cotraining_trains_on_human_fixations_and_unlabelled_images(tmp_path):
    """8 unlabelled Caltech-101 images, 4 OSIE and 4 Scene training images: two steps, every
    loss term finite, the attention terms from the human images only (the Caltech images
    carry all-zero targets)."""
    write_maps(tmp_path, 8)
    work = tmp_path / 'work'
    run_tool(['tools/train.py', COTRAIN, '--work-dir', work, '--cfg-options',
              f'train_dataloader.dataset.datasets.0.ann_file={tmp_path / "list.txt"}',
              'train_dataloader.dataset.datasets.1.indices=4',
              'train_dataloader.dataset.datasets.2.indices=4',
              'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False', 'model.queue_len=64',
              'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1'])
    scalars = [json.loads(line) for line in
               next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert len(scalars) == 2  # 16 images, 8 per step
    terms = ('loss_moco', 'loss_attn_kld', 'loss_attn_nss')
    for entry in scalars:
        assert all(np.isfinite(entry[term]) for term in terms)
        assert abs(entry['loss'] - sum(entry[term] for term in terms)) < 1e-4
    # 8 human images over two batches of 8: at least one batch trains the head on them
    assert any(entry['loss_attn_kld'] > 0 for entry in scalars)
