"""The standard evaluation of a pretrained encoder on a labelled image set (Caltech-101 by
default): linear probe, weighted kNN, few-shot linear probe, corruption robustness of the
linear probe, Grad-CAM grounding against salient-object masks and, with the whole model,
its own attention map against human fixations (:func:`task_attention`).

:class:`FrozenEvaluation` holds one encoder and the evaluation data, extracts features once
per (encoder, data, resolution[, corruption]) into an on-disk :class:`~attn_plugins.probes.
FeatureCache` (corrupted images, which do not depend on the encoder, are cached too), and
each ``task_*`` function turns them into one JSON-ready result. ``tools/analysis/ssl_eval.py``
is the command line; the pure probes are :mod:`attn_plugins.probes`.
"""
import json
import math
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log

from ..probes import (DEFAULT_WEIGHT_DECAYS, FEW_SHOT_WEIGHT_DECAY, FeatureCache, LinearProbe,
                      few_shot_probe, file_digest, knn_classify, linear_probe, top1_accuracy)
from ..robustness import CORRUPTIONS, EXTRA_CORRUPTIONS, SEVERITIES, corruption_errors
from .alignment import attention_scores, center_bias_scores, load_ground_truth, summarise
from .frozen import (FrozenEncoder, collect_images, dataset_labels, eval_dataloader_cfg,
                     extract_features, labelled_list_dataset)
from .eval_loader import build_eval_dataloader
from .eval_loop import CellTimer

#: Corruptions reported one by one (the teacher-attention paper's four, ImageNet-C extras).
REPORTED_CORRUPTIONS = ('speckle_noise', 'gaussian_blur', 'spatter', 'saturate')
#: Saliency metrics of the grounding task.
GROUNDING_METRICS = ('nss', 'cc', 'auc_judd')
#: Version of the feature definition (global average pooling of the last stage, eval-mode
#: BatchNorm); part of every cache key, so a change of definition invalidates old entries.
FEATURES_VERSION = 1

assert set(REPORTED_CORRUPTIONS) == set(EXTRA_CORRUPTIONS)


@dataclass
class EvalData:
    """A folder-per-class image set with fixed split lists (Caltech-101's layout).

    Attributes:
        root (str): Dataset root holding the lists and the image folder.
        train (str): Training list (``<class>/<file>`` per line), relative to ``root``.
        test (str): Test list.
        prefix (str): Image folder under ``root``.
        exclude (tuple[str]): Folders that are no class.
    """

    root: str
    train: str = 'train.txt'
    test: str = 'test.txt'
    prefix: str = 'images'
    exclude: Tuple[str, ...] = field(default=('BACKGROUND_Google', ))

    def list_name(self, split: str) -> str:
        """The ``'train'`` or ``'test'`` list, relative to the root."""
        return dict(train=self.train, test=self.test)[split]

    def list_file(self, split: str) -> str:
        """Path of the ``'train'`` or ``'test'`` list."""
        return osp.join(self.root, self.list_name(split))

    def identity(self) -> dict:
        """What the data's features depend on: root, list contents, prefix, exclusions."""
        return dict(root=osp.abspath(self.root), prefix=self.prefix, exclude=list(self.exclude),
                    train=file_digest(self.list_file('train')),
                    test=file_digest(self.list_file('test')))


class FrozenEvaluation:
    """One encoder evaluated on one labelled set at one resolution, with cached features.

    Args:
        encoder (FrozenEncoder): From :func:`~attn_plugins.evaluation.frozen.
            build_frozen_encoder`.
        identity (dict): Its identity (``digest`` is used in cache keys).
        data (EvalData): The labelled set.
        size (int): Input side (short side resized to ``size * 8 / 7``, centre crop).
        cache_dir (str): Root of the feature and image caches.
        batch_size (int): Images per forward pass.
        num_workers (int): Dataloader workers.
        seed (int): Seed of subsets, splits and corruptions.
        progress (bool): Progress bars (with ETA) during extraction.
    """

    def __init__(self, encoder: FrozenEncoder, identity: dict, data: EvalData, size: int = 112,
                 cache_dir: str = 'work_dirs/ssl_eval_cache', batch_size: int = 64,
                 num_workers: int = 0, seed: int = 0, progress: bool = True) -> None:
        if not osp.isdir(data.root):
            raise FileNotFoundError(f'evaluation data not found: {data.root}; give --data-root '
                                    '(a folder with train.txt, test.txt and images/)')
        self.encoder = encoder
        self.identity = identity
        self.data = data
        self.data_identity = data.identity()
        self.size = size
        self.features_cache = FeatureCache(osp.join(cache_dir, 'features'))
        self.images_cache = FeatureCache(osp.join(cache_dir, 'images'))
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.seed = seed
        self.progress = progress
        self.extraction = dict(images=0, seconds=0.0)  # images encoded in this process
        self._probes: Dict[str, Tuple[dict, LinearProbe]] = {}
        self._features: Dict[str, Tuple[torch.Tensor, torch.Tensor]] = {}

    # -- data ---------------------------------------------------------------------------
    def _loader(self, split: str, transform: Optional[dict] = None,
                max_images: Optional[int] = None):
        dataset = labelled_list_dataset(self.data.root, self.data.list_name(split), self.size,
                                        self.data.prefix, self.data.exclude)
        return build_eval_dataloader(
            eval_dataloader_cfg(dataset, self.batch_size, self.num_workers), transform,
            'before_pack', max_images, self.seed, num_workers=self.num_workers)

    def _key(self, **parts) -> dict:
        return dict(version=FEATURES_VERSION, data=self.data_identity, size=self.size, **parts)

    def _encode(self, batches, total: Optional[int] = None,
                progress: Optional[bool] = None) -> torch.Tensor:
        start = time.time()
        features = extract_features(self.encoder, batches, total,
                                    self.progress if progress is None else progress)
        self.extraction['images'] += len(features)
        self.extraction['seconds'] += time.time() - start
        return features

    def features(self, split: str) -> Tuple[torch.Tensor, torch.Tensor]:
        """Features and labels of the clean ``'train'`` or ``'test'`` split (cached).

        Returns:
            tuple[Tensor, Tensor]: (N, C) features and (N,) labels.
        """
        if split in self._features:
            return self._features[split]
        key = self._key(encoder=self.identity['digest'], split=split)
        entry = self.features_cache.load(key)
        if entry is None:
            loader = self._loader(split)
            print_log(f'[ssl_eval] extracting {split} features: {len(loader.dataset)} images '
                      f'at {self.size} px', logger='current')
            entry = dict(features=self._encode(loader), labels=dataset_labels(loader.dataset))
            self.features_cache.save(key, entry)
        self._features[split] = (entry['features'], entry['labels'])
        return self._features[split]

    @property
    def num_classes(self) -> int:
        """Number of classes (from the training labels)."""
        return int(self.features('train')[1].max()) + 1

    def test_images(self, corruption: Optional[str], severity: Optional[int],
                    max_images: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """A seeded test subset, corrupted (ImageNet-C, seeded per image) or clean (cached;
        the images do not depend on the encoder, so every checkpoint reuses them).

        Returns:
            tuple[Tensor, Tensor]: (N, 3, size, size) uint8 BGR images and (N,) labels.
        """
        key = self._key(split='test', corruption=corruption, severity=severity,
                        max_images=max_images, seed=self.seed)
        entry = self.images_cache.load(key)
        if entry is None:
            transform = None if corruption is None else dict(
                type='ImageCorruption', corruption=corruption, severity=severity,
                seed=self.seed)
            loader = self._loader('test', transform, max_images)
            entry = dict(images=collect_images(loader), labels=dataset_labels(loader.dataset))
            self.images_cache.save(key, entry)
        return entry['images'], entry['labels']

    def test_subset_features(self, corruption: Optional[str], severity: Optional[int],
                             max_images: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Features of :meth:`test_images` (cached per encoder)."""
        key = self._key(encoder=self.identity['digest'], split='test', corruption=corruption,
                        severity=severity, max_images=max_images, seed=self.seed)
        entry = self.features_cache.load(key)
        if entry is None:
            images, labels = self.test_images(corruption, severity, max_images)
            batches = images.split(self.batch_size)
            entry = dict(features=self._encode(batches, len(batches), progress=False),
                         labels=labels)
            self.features_cache.save(key, entry)
        return entry['features'], entry['labels']

    # -- probes --------------------------------------------------------------------------
    def linear(self, weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS,
               val_fraction: float = 0.2) -> Tuple[dict, LinearProbe]:
        """The linear probe (result and fitted probe), fitted once per settings and cached
        on disk beside the features.
        """
        settings = dict(weight_decays=[float(w) for w in weight_decays],
                        val_fraction=val_fraction, seed=self.seed)
        key = self._key(encoder=self.identity['digest'], probe=settings)
        memo = str(sorted(settings.items()))
        if memo in self._probes:
            return self._probes[memo]
        train_x, train_y = self.features('train')
        test_x, test_y = self.features('test')
        entry = self.features_cache.load(key)
        if entry is not None:
            probe = LinearProbe.from_state_dict(entry)
            result = json.loads(entry['result'])
        else:
            result, probe = linear_probe(train_x, train_y, test_x, test_y, self.num_classes,
                                         weight_decays, val_fraction, self.seed)
            self.features_cache.save(key, dict(probe.state_dict(), result=json.dumps(result)))
        self._probes[memo] = (result, probe)
        return result, probe


def _timed(func):
    """Adds ``seconds`` (wall time of the task) to a task's result."""
    def wrapper(*args, **kwargs):
        start = time.time()
        result = func(*args, **kwargs)
        result['seconds'] = round(time.time() - start, 1)
        return result
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@_timed
def task_linear(ev: FrozenEvaluation, weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS,
                val_fraction: float = 0.2) -> dict:
    """Linear probe: weight decay chosen on a validation split of train, then refit.

    Returns:
        dict: ``top1``, ``mean_class`` (percent), ``weight_decay``, ``val_top1``, counts.
    """
    result, _ = ev.linear(weight_decays, val_fraction)
    return dict(result, train_images=len(ev.features('train')[1]),
                test_images=len(ev.features('test')[1]), classes=ev.num_classes)


@_timed
def task_knn(ev: FrozenEvaluation, k: int = 20, temperature: float = 0.07) -> dict:
    """Weighted kNN of the test features among the training features."""
    train_x, train_y = ev.features('train')
    test_x, test_y = ev.features('test')
    return knn_classify(train_x, train_y, test_x, test_y, k, temperature, ev.num_classes)


@_timed
def task_fewshot(ev: FrozenEvaluation, shots: Sequence[int] = (1, 5, 10), draws: int = 5,
                 weight_decay: float = FEW_SHOT_WEIGHT_DECAY) -> dict:
    """Few-shot linear probes: ``n`` training images per class, ``draws`` draws each."""
    train_x, train_y = ev.features('train')
    test_x, test_y = ev.features('test')
    return few_shot_probe(train_x, train_y, test_x, test_y, shots, draws, ev.seed,
                          weight_decay, ev.num_classes)


@_timed
def task_corruption(ev: FrozenEvaluation, images: int = 250, mce_images: int = 100,
                    severities: Sequence[int] = SEVERITIES,
                    weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS) -> dict:
    """The linear probe (fitted on clean training features) on corrupted test images.

    The four :data:`REPORTED_CORRUPTIONS` are scored on a seeded subset of ``images``
    test images, the 15 ImageNet-C benchmark corruptions (for their mean and mCE) on a
    subset of ``mce_images``; every severity of ``severities``. Each subset's clean
    accuracy is reported beside.

    Returns:
        dict: ``accuracy`` ({corruption: {severity: top-1}}), ``clean`` (clean top-1 of the
        reported subset), ``clean_mce`` (of the mCE subset), ``reported`` (mean over
        severities of each reported corruption), ``mean_reported``, ``mean15`` (mean over
        the 15 x severities), ``images``, ``mce_images``.
    """
    _, probe = ev.linear(weight_decays)
    cells = [(c, s, images) for c in REPORTED_CORRUPTIONS for s in severities]
    cells += [(c, s, mce_images) for c in CORRUPTIONS for s in severities]
    timer = CellTimer(len(cells) + 2)
    accuracy: Dict[str, Dict[str, float]] = {}

    def score(corruption, severity, count):
        feats, labels = ev.test_subset_features(corruption, severity, count)
        return top1_accuracy(probe.predict(feats), labels)

    clean = score(None, None, images)
    timer.step(f'clean ({images} images): {clean:.1f}')
    clean_mce = score(None, None, mce_images)
    timer.step(f'clean ({mce_images} images): {clean_mce:.1f}')
    for corruption, severity, count in cells:
        value = score(corruption, severity, count)
        accuracy.setdefault(corruption, {})[str(severity)] = value
        timer.step(f'{corruption} s{severity} ({count} images): {value:.1f}')
    reported = {c: _mean(accuracy[c].values()) for c in REPORTED_CORRUPTIONS}
    return dict(clean=clean, clean_mce=clean_mce, accuracy=accuracy, reported=reported,
                mean_reported=_mean(reported.values()),
                mean15=_mean(v for c in CORRUPTIONS for v in accuracy[c].values()),
                images=min(images, len(ev.features('test')[1])),
                mce_images=min(mce_images, len(ev.features('test')[1])),
                severities=list(severities))


def _alignment_with_center_bias(model: torch.nn.Module, samples: Sequence[dict], size: int,
                                progress: bool) -> dict:
    """``model``'s attention (:func:`~attn_plugins.evaluation.alignment.attention_scores`)
    scored against ``samples``' ground truth with :data:`GROUNDING_METRICS`, beside the
    center-bias baseline scored the same way.

    Returns:
        dict: mean and ``<metric>_std`` of each metric, ``center_bias`` (the same for the
        baseline), ``images``.
    """
    per_image = attention_scores(model, samples, size, GROUNDING_METRICS, progress=progress)
    result = summarise(per_image, GROUNDING_METRICS)
    result['center_bias'] = summarise(center_bias_scores(samples, GROUNDING_METRICS),
                                      GROUNDING_METRICS)
    result['images'] = len(samples)
    return result


def _probe_gradcam_alignment(ev: FrozenEvaluation, samples: Sequence[dict], size: int,
                             weight_decays: Sequence[float]) -> dict:
    """Grad-CAM of the encoder (the linear probe's top class on the last stage) scored
    against ``samples``' ground truth, beside the center bias.

    Args:
        ev (FrozenEvaluation): The evaluation (its linear probe is fitted or reused).
        samples (Sequence[dict]): From :func:`~attn_plugins.evaluation.alignment.
            load_ground_truth`.
        size (int): Short side of the encoder's input.
        weight_decays (Sequence[float]): The linear probe's weight-decay grid.

    Returns:
        dict: See :func:`_alignment_with_center_bias`.
    """
    _, probe = ev.linear(weight_decays)
    ev.encoder.probe = probe
    try:
        return _alignment_with_center_bias(ev.encoder, samples, size, ev.progress)
    finally:
        ev.encoder.probe = None


def held_out_fixations(osie_root: str, scene_root: str,
                       max_images: Optional[int] = None) -> list:
    """The held-out splits of OSIE (images 1601-1700) and Scene saliency (401-500) with
    their fixation points and blurred densities.

    Args:
        osie_root (str): OSIE folder (``fixations.mat``, ``images/``).
        scene_root (str): Scene saliency folder (``fixations.mat``, ``stimuli/``).
        max_images (int, optional): Only the first N of each set.

    Returns:
        list[dict]: Samples of :func:`~attn_plugins.evaluation.alignment.load_ground_truth`.
    """
    return [*load_ground_truth(osie=osie_root, split='val', max_images=max_images),
            *load_ground_truth(scene=scene_root, split='val', max_images=max_images)]


@_timed
def task_grounding(ev: FrozenEvaluation, masks_root: str, img_dirs: Sequence[str] = (
        'images/val', ), saliency_dir: str = 'sod_masks', size: Optional[int] = None,
        max_images: Optional[int] = None,
        weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS) -> dict:
    """Grad-CAM of the encoder against binary salient-object masks (the masks as the
    fixation map, normalised masks as the density): NSS, CC and AUC-Judd beside the center
    bias, with the machinery of ``tools/analysis/attention_alignment.py`` (short side
    resized to ``size``, default the evaluation's; map scored at the mask's resolution).

    Returns:
        dict: See :func:`_probe_gradcam_alignment`.
    """
    samples = load_ground_truth(masks=masks_root, img_dirs=img_dirs, saliency_dir=saliency_dir,
                                max_images=max_images)
    return _probe_gradcam_alignment(ev, samples, size or ev.size, weight_decays)


@_timed
def task_fixations(ev: FrozenEvaluation, osie_root: str, scene_root: str,
                   size: Optional[int] = None, max_images: Optional[int] = None,
                   weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS) -> dict:
    """Grad-CAM of the encoder against human eye fixations on the held-out splits of OSIE
    (images 1601-1700) and Scene saliency (401-500): NSS, CC and AUC-Judd beside the center
    bias (fixation points as the fixation map, their blurred density as the density).

    Args:
        osie_root (str): OSIE folder (``fixations.mat``, ``images/``).
        scene_root (str): Scene saliency folder (``fixations.mat``, ``stimuli/``).
        size (int, optional): Short side of the input; default the evaluation's.
        max_images (int, optional): Score only the first N of each set.

    Returns:
        dict: See :func:`_alignment_with_center_bias`.
    """
    samples = held_out_fixations(osie_root, scene_root, max_images)
    return _probe_gradcam_alignment(ev, samples, size or ev.size, weight_decays)


@_timed
def task_attention(model: torch.nn.Module, osie_root: str, scene_root: str, size: int,
                   max_images: Optional[int] = None, progress: bool = True) -> dict:
    """The method's own attention map against human eye fixations on the held-out splits of
    OSIE and Scene saliency, beside the center bias: unlike ``fixations`` (Grad-CAM of a
    probe on the frozen backbone, the same reading for every method), this scores what the
    whole pretrained model answers to ``attention_maps`` (a teacher-attention head's
    predicted map; a VARS ViT's class-token attention; else Grad-CAM of query . key on the
    last stage; :func:`~attn_plugins.evaluation.model_attention.model_attention`).

    Args:
        model (nn.Module): The whole pretrained model (``attn_plugins.engine.launch.
            load_model``), heads included.
        osie_root (str): OSIE folder (``fixations.mat``, ``images/``).
        scene_root (str): Scene saliency folder (``fixations.mat``, ``stimuli/``).
        size (int): Short side of the model's input.
        max_images (int, optional): Score only the first N of each set.
        progress (bool): Progress bar with an ETA.

    Returns:
        dict: See :func:`_alignment_with_center_bias`.
    """
    samples = held_out_fixations(osie_root, scene_root, max_images)
    return _alignment_with_center_bias(model, samples, size, progress)


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan


def flatten_metrics(results: Dict[str, dict]) -> Dict[str, float]:
    """The headline numbers of every task, as ``task/metric`` -> value.

    Args:
        results (dict): Task name -> its result.

    Returns:
        dict[str, float]: E.g. ``linear/top1``, ``knn/top1``, ``fewshot/5shot``,
        ``corruption/mean15``, ``corruption/speckle_noise``, ``grounding/nss``,
        ``grounding/center_bias_nss``, ``fixations/nss``, ``attention/nss``.
    """
    flat = {}
    for task in ('linear', 'knn'):
        if task in results:
            flat[f'{task}/top1'] = results[task]['top1']
            flat[f'{task}/mean_class'] = results[task]['mean_class']
    for name, entry in results.get('fewshot', {}).items():
        if isinstance(entry, dict):
            flat[f'fewshot/{name}'] = entry['top1']
    if 'corruption' in results:
        corruption = results['corruption']
        flat['corruption/clean'] = corruption['clean']
        flat.update({f'corruption/{c}': v for c, v in corruption['reported'].items()})
        flat['corruption/mean_reported'] = corruption['mean_reported']
        flat['corruption/mean15'] = corruption['mean15']
        if 'mce' in corruption:
            flat['corruption/mce'] = corruption['mce']
    for task in ('grounding', 'fixations', 'attention'):
        for metric in GROUNDING_METRICS:
            if metric in results.get(task, {}):
                flat[f'{task}/{metric}'] = results[task][metric]
                # the reference every map must beat, beside the encoder's score
                flat[f'{task}/center_bias_{metric}'] = results[task]['center_bias'][metric]
    return flat


def corruption_mce(result: dict, baseline: dict) -> dict:
    """mCE and relative mCE of a corruption result against a baseline's (the 15 benchmark
    corruptions, errors = 100 - accuracy; :func:`attn_plugins.robustness.corruption_errors`).

    Args:
        result (dict): A :func:`task_corruption` result.
        baseline (dict): The baseline model's, with the same severities and mCE subset.

    Returns:
        dict: ``mce``, ``relative_mce`` and ``ce`` (per corruption).
    """
    if result.get('mce_images') != baseline.get('mce_images') or \
            result.get('severities') != baseline.get('severities'):
        raise ValueError('the baseline was evaluated on another corruption subset or other '
                         'severities (mce_images / severities differ): evaluate both alike')

    def errors(r):
        return {c: {int(s): 100 - a for s, a in r['accuracy'][c].items()} for c in CORRUPTIONS}

    out = corruption_errors(errors(result), errors(baseline), 100 - result['clean_mce'],
                            100 - baseline['clean_mce'])
    return dict(mce=out['mce'], relative_mce=out['relative_mce'], ce=out['ce'])
