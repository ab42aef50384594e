"""Frozen-feature evaluation in OpenMMLab: checkpoints of every layout load into the
config's backbone, features are extracted with BatchNorm in eval mode, the cache follows
the checkpoint's content, Caltech-101's lists index one class list, the Grad-CAM of a probe
is the CAM formula, and ssl_eval.py runs all five tasks and resumes."""
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

pytest.importorskip('mmpretrain')

from mmpretrain.registry import DATASETS  # noqa: E402

import attn_plugins  # noqa: E402,F401
from attn_plugins.evaluation.frozen import (build_frozen_encoder, extract_features,  # noqa: E402
                                            labelled_list_dataset, load_backbone_weights)
from attn_plugins.evaluation.ssl_eval import EvalData, FrozenEvaluation  # noqa: E402
from attn_plugins.probes import fit_linear_probe  # noqa: E402
from tests.conftest import load_tool, run_tool  # noqa: E402
from tests.test_evaluation.conftest import (CLASSES, R18_CONFIG,  # noqa: E402
                                            random_backbone_checkpoint)


@pytest.mark.parametrize('layout', ['mmengine', 'torchvision'])
def test_checkpoint_layouts_load_every_backbone_tensor(tmp_path, layout):
    state = random_backbone_checkpoint(tmp_path / 'ckpt.pth', seed=3, layout=layout)
    encoder, identity = build_frozen_encoder(R18_CONFIG, str(tmp_path / 'ckpt.pth'))
    loaded = encoder.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in state.items())
    assert identity['prefix'] == ('backbone.' if layout == 'mmengine' else '')
    assert len(identity['checkpoint_sha256']) == 64


def test_a_checkpoint_of_another_backbone_is_refused(tmp_path):
    torch.save(dict(state_dict={'backbone.conv1.weight': torch.zeros(64, 3, 7, 7)}),
               tmp_path / 'partial.pth')
    encoder, _ = build_frozen_encoder(R18_CONFIG, 'random')
    with pytest.raises(ValueError, match='does not fit the config.s backbone'):
        load_backbone_weights(encoder.backbone, str(tmp_path / 'partial.pth'))


def test_random_weights_are_seeded():
    first = build_frozen_encoder(R18_CONFIG, 'random', seed=1)[0].backbone.conv1.weight
    again = build_frozen_encoder(R18_CONFIG, 'random', seed=1)[0].backbone.conv1.weight
    other = build_frozen_encoder(R18_CONFIG, 'random', seed=2)[0].backbone.conv1.weight
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_batchnorm_stays_in_eval_mode(tmp_path):
    """The backbone is in train mode (as during pretraining) before each extraction: the
    features of the same images are identical across two extractions and equal to an
    eval-mode forward pass of each image alone; the running statistics do not move, and
    every module's mode is restored."""
    random_backbone_checkpoint(tmp_path / 'ckpt.pth', seed=4)
    encoder, _ = build_frozen_encoder(R18_CONFIG, str(tmp_path / 'ckpt.pth'))
    images = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    batches = [images[:4], images[4:]]
    encoder.backbone.train()
    running = encoder.backbone.bn1.running_mean.clone()
    first = extract_features(encoder, batches)
    assert encoder.backbone.training and encoder.backbone.bn1.training
    second = extract_features(encoder, [images[:1], images[1:]])
    assert torch.equal(encoder.backbone.bn1.running_mean, running)
    assert torch.allclose(first, second, atol=1e-5)
    encoder.eval()
    with torch.no_grad():
        alone = torch.cat([encoder(encoder.data_preprocessor(dict(inputs=img[None]))['inputs'])
                           for img in images])
    assert torch.allclose(first, alone, atol=1e-5)


def test_feature_cache_follows_the_checkpoint_content(tmp_path, tiny_set):
    """Same path, new weights: the features are extracted again; same weights: read back."""
    ckpt = tmp_path / 'epoch_1.pth'
    data = EvalData(str(tiny_set))

    def evaluation():
        encoder, identity = build_frozen_encoder(R18_CONFIG, str(ckpt))
        return FrozenEvaluation(encoder, identity, data, size=32,
                                cache_dir=str(tmp_path / 'cache'), progress=False)

    random_backbone_checkpoint(ckpt, seed=5)
    first = evaluation()
    features_a, labels = first.features('test')
    assert first.extraction['images'] == len(labels) == 12
    again = evaluation()
    assert torch.equal(again.features('test')[0], features_a)
    assert again.extraction['images'] == 0  # read from the cache
    random_backbone_checkpoint(ckpt, seed=6)  # retrained in place
    changed = evaluation()
    features_b, _ = changed.features('test')
    assert changed.extraction['images'] == 12 and not torch.allclose(features_a, features_b)
    assert len(list((tmp_path / 'cache' / 'features').iterdir())) == 2


def test_class_folder_list_labels_by_folder(tiny_set, tmp_path):
    train = DATASETS.build(labelled_list_dataset(str(tiny_set), 'train.txt', 32))
    test = DATASETS.build(labelled_list_dataset(str(tiny_set), 'test.txt', 32))
    assert train.metainfo['classes'] == test.metainfo['classes'] == CLASSES
    assert len(train) == 24 and len(test) == 12  # background images left out
    info = train.get_data_info(9)
    assert Path(info['img_path']).parent.name == CLASSES[info['gt_label']]
    (tmp_path / 'bad.txt').write_text('purple/image_0000.jpg\n')
    with pytest.raises(ValueError, match="lists 'purple/image_0000.jpg', whose folder"):
        DATASETS.build(dict(type='ClassFolderList', data_root=str(tiny_set),
                            data_prefix='images', ann_file=str(tmp_path / 'bad.txt')))


def test_caltech101_lists_share_one_class_list(shared_data):
    root = str(shared_data('caltech101'))
    train = DATASETS.build(labelled_list_dataset(root, 'train.txt', 112))
    test = DATASETS.build(labelled_list_dataset(root, 'test.txt', 112))
    classes = train.metainfo['classes']
    assert classes == test.metainfo['classes'] and len(classes) == 101
    assert 'BACKGROUND_Google' not in classes
    # 6,095 / 3,049 listed, of which 311 / 156 background images
    assert (len(train), len(test)) == (5784, 2893)
    for dataset in (train, test):
        for i in (0, len(dataset) // 2, len(dataset) - 1):
            info = dataset.get_data_info(i)
            assert Path(info['img_path']).parent.name == classes[info['gt_label']]


def test_probe_grad_cam_is_the_class_activation_map():
    """For global average pooling and a linear probe on standardised features, Grad-CAM's
    channel weights are w_ck / (std_k * h * w): the map is ReLU(sum_k w_ck A_k / std_k) /
    (h * w), the CAM of the top class (Zhou et al. 2016)."""
    encoder, _ = build_frozen_encoder(R18_CONFIG, 'random', seed=0)
    inputs = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        feature_map = encoder.backbone(inputs)[-1]
    pooled = feature_map.mean(dim=(2, 3))
    probe = fit_linear_probe(pooled, torch.tensor([0, 1, 2]), 3, 1e-2)
    encoder.probe = probe
    maps = encoder.attention_maps(inputs)
    top = probe.predict(pooled)
    weights = probe.weight[top] / probe.std  # (B, C)
    cam = torch.relu((weights[:, :, None, None] * feature_map).sum(1)) / (
        feature_map.shape[2] * feature_map.shape[3])
    assert maps.shape == (3, 2, 2)
    assert torch.allclose(maps, cam, rtol=1e-4, atol=1e-7)


def test_ssl_eval_runs_every_task_and_resumes(tmp_path, tiny_set, shared_data):
    masks = shared_data('bsds500')
    args = ['tools/analysis/ssl_eval.py', R18_CONFIG, 'random', '--data-root', tiny_set,
            '--size', '32', '--out-dir', tmp_path / 'out', '--cache-dir', tmp_path / 'cache',
            '--corruption-images', '6', '--mce-images', '3', '--severities', '1', '5',
            '--shots', '1', '2', '--draws', '2', '--weight-decays', '1e-3', '1e-1',
            '--masks-root', masks, '--grounding-images', '2', '--num-workers', '0']
    run_tool(args, timeout=600)
    report = json.loads((tmp_path / 'out' / 'results.json').read_text())
    metrics = report['metrics']
    # Colour classes: even random conv features separate them.
    assert metrics['linear/top1'] == 100.0 and metrics['knn/top1'] == 100.0
    assert metrics['fewshot/2shot'] == 100.0
    corruption = report['tasks']['corruption']
    assert set(corruption['accuracy']) == {
        'speckle_noise', 'gaussian_blur', 'spatter', 'saturate', 'gaussian_noise',
        'shot_noise', 'impulse_noise', 'defocus_blur', 'glass_blur', 'motion_blur',
        'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast', 'elastic_transform',
        'pixelate', 'jpeg_compression'}
    assert corruption['mean15'] == pytest.approx(np.mean(
        [v for c, acc in corruption['accuracy'].items() if c not in corruption['reported']
         for v in acc.values()]))
    assert report['tasks']['grounding']['images'] == 2
    assert -1 <= metrics['grounding/cc'] <= 1 and 0 <= metrics['grounding/auc_judd'] <= 1
    assert '| linear/top1 | 100.00 |' in (tmp_path / 'out' / 'results.md').read_text()
    # Rerun: every task is read back, nothing is extracted; then mCE against itself.
    rerun = run_tool(args + ['--tasks', 'linear', 'knn', 'fewshot', 'corruption'])
    assert rerun.stdout.count('done before') + rerun.stderr.count('done before') == 4
    assert 'Feature extraction in this run' not in rerun.stdout


def test_grounding_size_reaches_the_task_and_its_stored_settings(monkeypatch):
    """--grounding-size is the side grounding runs at (default --size), and a result stored
    at one grounding size is not reused for another; results stored without it stay valid."""
    from attn_plugins.evaluation import ssl_eval as tasks

    tool = load_tool('analysis/ssl_eval')
    seen = []
    monkeypatch.setattr(tasks, 'task_grounding', lambda ev, *a: seen.append(a[3]))
    identity = dict(digest='abc')
    plain = tool.parse_args(['CONFIG', 'random', '--size', '64'])
    larger = tool.parse_args(['CONFIG', 'random', '--size', '64', '--grounding-size', '128'])
    tool.run_task('grounding', None, plain)
    tool.run_task('grounding', None, larger)
    assert seen == [64, 128]
    assert 'grounding_size' not in tool.task_settings('grounding', plain, identity)
    assert tool.task_settings('grounding', larger, identity)['grounding_size'] == 128
    assert tool.task_settings('linear', larger, identity) == tool.task_settings(
        'linear', plain, identity)
    # fixations runs at the grounding size too, and only when named
    monkeypatch.setattr(tasks, 'task_fixations', lambda ev, *a: seen.append(a[2]))
    tool.run_task('fixations', None, plain)
    tool.run_task('fixations', None, larger)
    assert seen[2:] == [64, 128]
    assert tool.task_settings('fixations', larger, identity)['fixation_size'] == 128
    assert 'fixations' not in plain.tasks and 'grounding' in plain.tasks


def test_fixations_task_scores_the_held_out_osie_and_scene_images(tmp_path, tiny_set,
                                                                  shared_data, monkeypatch):
    """The fixations task scores Grad-CAM on OSIE's held-out images (1601-1700) and Scene
    saliency's (401-500), and the center bias beside it beats chance on human fixations."""
    from attn_plugins.evaluation import ssl_eval as tasks

    osie, scene = shared_data('osie'), shared_data('scene_saliency')
    scored = []
    score = tasks.attention_scores

    def record(model, samples, *args, **kwargs):
        scored.extend(Path(sample['img_path']).stem for sample in samples)
        return score(model, samples, *args, **kwargs)

    monkeypatch.setattr(tasks, 'attention_scores', record)
    encoder, identity = build_frozen_encoder(R18_CONFIG, 'random', seed=0)
    ev = FrozenEvaluation(encoder, identity, EvalData(tiny_set), 32, str(tmp_path / 'cache'),
                          8, 0, 0, progress=False)
    result = tasks.task_fixations(ev, str(osie), str(scene), size=32, max_images=2,
                                  weight_decays=(1e-2, ))
    assert scored == ['1601', '1602', '401', '402'] and result['images'] == 4
    assert encoder.probe is None  # the probe is detached again
    for metric in ('nss', 'cc', 'auc_judd'):
        assert np.isfinite(result[metric]) and np.isfinite(result[f'{metric}_std'])
    # People look near the centre: its AUC-Judd is well above chance (0.5).
    assert result['center_bias']['auc_judd'] > 0.6
    flat = tasks.flatten_metrics(dict(fixations=result))
    assert flat['fixations/nss'] == result['nss']
    assert flat['fixations/center_bias_nss'] == result['center_bias']['nss']


class _FixedAttention(torch.nn.Module):
    """A model whose own attention is the center bias at its input's size (or its
    complement): what the attention task must score, with no Grad-CAM involved."""

    def __init__(self, inverted: bool = False) -> None:
        super().__init__()
        from mmpretrain.models.utils import ClsDataPreprocessor

        self.data_preprocessor = ClsDataPreprocessor(mean=[0, 0, 0], std=[1, 1, 1])
        self.inverted = inverted

    def attention_maps(self, inputs):
        from attn_plugins.saliency import center_bias

        height, width = inputs.shape[-2:]
        prior = torch.from_numpy(center_bias((height, width))).float()
        return (prior.max() - prior if self.inverted else prior).expand(len(inputs), -1, -1)


def test_attention_task_scores_the_models_own_map(shared_data):
    """The attention task scores what the model answers to attention_maps on the held-out
    OSIE + Scene images: a model answering the center bias scores as the center bias does,
    its complement scores below zero NSS (away from where people look)."""
    from attn_plugins.evaluation import ssl_eval as tasks

    osie, scene = shared_data('osie'), shared_data('scene_saliency')
    centre = tasks.task_attention(_FixedAttention(), str(osie), str(scene), size=48,
                                  max_images=3, progress=False)
    away = tasks.task_attention(_FixedAttention(inverted=True), str(osie), str(scene),
                                size=48, max_images=3, progress=False)
    assert centre['images'] == 6 and centre['center_bias'] == away['center_bias']
    for metric in ('nss', 'cc', 'auc_judd'):
        assert centre[metric] == pytest.approx(centre['center_bias'][metric], abs=0.02)
    assert centre['center_bias']['nss'] > 0.5 and away['nss'] < 0 and away['auc_judd'] < 0.5
    flat = tasks.flatten_metrics(dict(attention=centre))
    assert flat['attention/nss'] == centre['nss']
    assert flat['attention/center_bias_cc'] == centre['center_bias']['cc']


def test_attention_task_gets_the_whole_model_and_keys_its_settings(monkeypatch):
    """ssl_eval.py's attention task runs on CONFIG's whole model at the grounding size, only
    when named; its stored settings follow the config and the seed of random weights."""
    from attn_plugins.evaluation import ssl_eval as tasks

    tool = load_tool('analysis/ssl_eval')
    seen = []
    monkeypatch.setattr(tool, 'whole_model', lambda args: ('whole', args.config))
    monkeypatch.setattr(tasks, 'task_attention', lambda model, *a: seen.append((model, a[2])))
    plain = tool.parse_args([R18_CONFIG, 'random', '--size', '64'])
    larger = tool.parse_args([R18_CONFIG, 'random', '--size', '64', '--grounding-size', '128',
                              '--init-seed', '1'])
    quiet = SimpleNamespace(progress=False)
    tool.run_task('attention', quiet, plain)
    tool.run_task('attention', quiet, larger)
    assert seen == [(('whole', R18_CONFIG), 64), (('whole', R18_CONFIG), 128)]
    assert 'attention' not in plain.tasks
    identity = dict(digest='abc')
    first, second = (tool.task_settings('attention', a, identity) for a in (plain, larger))
    assert first['init_seed'] == 0 and second['init_seed'] == 1
    assert first['config'] == second['config'] and len(first['config']) == 12
    assert second['attention_size'] == 128


def test_whole_model_of_random_weights_is_seeded():
    tool = load_tool('analysis/ssl_eval')

    def weights(seed):
        args = tool.parse_args([R18_CONFIG, 'random', '--init-seed', str(seed)])
        return tool.whole_model(args).backbone.conv1.weight

    assert torch.equal(weights(1), weights(1)) and not torch.equal(weights(1), weights(2))
