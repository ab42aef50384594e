"""Attention alignment: how well a model's attention matches human fixations or saliency
masks, scored with the saliency benchmark metrics next to the center-bias baseline.

Ground truth comes as fixation points (OSIE, the Scene saliency set), as fixation-map images
with or without density maps (MIT's ``<stem>_fixPts.jpg`` / ``<stem>_fixMap.jpg``, or plain
same-stem folders), or as binary salient-object masks. Besides the metrics of
:data:`~attn_plugins.evaluation.SALIENCY_METRICS`, ``'sauc'`` (shuffled AUC, the other
images' fixations as negatives) and ``'info_gain'`` (bits per fixation over the centre bias)
are scored (:data:`ALIGNMENT_METRICS`).
"""
import os.path as osp
from itertools import islice
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import LoadImageFromFile
from mmengine.utils import ProgressBar

from ..data import (FixationMapFolder, FixationsToDensity, LoadSaliencyMap, OSIEFixations,
                    SaliencyImageFolder, SaliencyResize, SceneSaliencyFixations,
                    read_saliency_map)
from ..data.fields import FIXATION_DENSITY, FIXATION_MAP, SALIENCY
from ..saliency import (center_bias, fixations_to_map, information_gain, match_map_to_image,
                        relative_fixations, resize_map, shuffled_auc, shuffled_negatives,
                        to_distribution, to_mask)
from .model_attention import model_attention, preprocess_images
from .saliency_metric import SALIENCY_METRICS, score_saliency

#: Every metric :func:`attention_scores` can compute.
ALIGNMENT_METRICS = tuple(SALIENCY_METRICS) + ('sauc', 'info_gain')
#: A map with more than this share of its pixels strictly between 10% and 90% grey is a
#: continuous map (a density), not a binary mask; a mask's own resize or compression
#: leaves far fewer.
MAX_MID_GREY = 0.01


def _with_fixation_map(results: dict) -> dict:
    points = results['fixation_points']
    results[FIXATION_MAP] = fixations_to_map(points[:, 0], points[:, 1],
                                               results['img'].shape[:2], one_based=False)
    return results


def fixation_ground_truth(dataset, sigma_frac: float = 0.03,
                          density_suffix: Optional[str] = None,
                          density_dir: Optional[str] = None) -> Iterator[dict]:
    """Images of a fixation dataset with their fixation maps and densities.

    Args:
        dataset (FixationDataset): ``OSIEFixations``, ``SceneSaliencyFixations``,
            ``FixationMapFolder``, ...
        sigma_frac (float): density blur as a fraction of the image width (0.03: OSIE's
            one degree of visual angle), when no density maps are given.
        density_suffix (str, optional): read each image's density from
            ``<density_dir>/<stem><density_suffix>`` (e.g. MIT's ``_fixMap.jpg``) instead.
        density_dir (str, optional): folder of the density maps.

    Yields:
        dict: ``img`` (H, W, 3) BGR, ``img_path``, ``fixation_map`` and
        ``fixation_density`` (H, W) at the image's resolution.
    """
    load = LoadImageFromFile()
    to_density = FixationsToDensity(sigma_frac=sigma_frac)
    for index in range(len(dataset)):
        results = _with_fixation_map(load(dataset.get_data_info(index)))
        if density_suffix is None:
            results = to_density(results)
        else:
            stem = osp.splitext(osp.basename(results['img_path']))[0]
            path = osp.join(density_dir, stem + density_suffix)
            density = match_map_to_image(read_saliency_map(path), results['img'].shape[:2],
                                         map_name=path, image_name=results['img_path'])
            results[FIXATION_DENSITY] = to_distribution(density)
        yield results


def mask_ground_truth(data_root: str, img_dirs, saliency_dir: str,
                      threshold: float = 0.5) -> Iterator[dict]:
    """Images with binary saliency masks used as ground truth: the mask is the "fixation
    map" (NSS, AUC-Judd) and, normalised, the "density" (CC, KLD, SIM).

    Yields:
        dict: ``img``, ``img_path``, ``fixation_map`` and ``fixation_density`` (H, W).

    Raises:
        ValueError: If a "mask" is a continuous map (more than :data:`MAX_MID_GREY` of its
            pixels between 10% and 90% grey): thresholding a fixation density at half range
            would score a blob as both fixations and density, silently wrong.
    """
    dataset = SaliencyImageFolder(data_root=data_root, img_dirs=img_dirs,
                                  saliency_dir=saliency_dir, missing_saliency='skip')
    load, load_map = LoadImageFromFile(), LoadSaliencyMap()
    for index in range(len(dataset)):
        results = load_map(load(dataset.get_data_info(index)))
        saliency = results[SALIENCY]
        mid_grey = float(((saliency > 0.1) & (saliency < 0.9)).mean())
        if mid_grey > MAX_MID_GREY:
            raise ValueError(
                f'{results["saliency_path"]} is not a binary mask: {mid_grey:.1%} of its '
                f'pixels are between 10% and 90% grey. A continuous map (a fixation density) '
                'is ground truth of another kind: give it as density maps beside fixation '
                'maps (attention_alignment.py --fixation-maps ... --density-suffix ...)')
        mask = to_mask(saliency, threshold).astype(np.float32)
        if not mask.any():
            continue  # nothing salient to score against
        results[FIXATION_MAP] = mask
        results[FIXATION_DENSITY] = to_distribution(mask)
        yield results


def load_ground_truth(osie: Optional[str] = None, split: Optional[str] = 'val',
                      masks: Optional[str] = None, img_dirs: Sequence[str] = ('images', ),
                      saliency_dir: str = 'saliency', max_images: Optional[int] = None,
                      scene: Optional[str] = None, fixation_maps: Optional[str] = None,
                      img_dir: str = 'images', fixation_dir: str = 'fixations',
                      fixation_suffix: str = '_fixPts.jpg',
                      density_suffix: Optional[str] = None) -> List[dict]:
    """The ground truth to score attention against.

    Exactly one source: ``osie`` or ``scene`` (fixation points, their fixed splits),
    ``fixation_maps`` (fixation-map images, optionally with density maps) or ``masks``
    (binary masks). Every sample also gets ``relative_fixations`` (its fixations as
    fractions of the image sides) for the shuffled AUC.

    Args:
        osie (str, optional): OSIE root (``fixations.mat``, ``images/``).
        split (str, optional): ``'train'``, ``'val'`` (OSIE 1601-1700, Scene 401-500) or
            None for every image; for ``osie`` and ``scene``.
        masks (str, optional): Root of an image folder with binary masks.
        img_dirs (Sequence[str]): Image folders under ``masks``.
        saliency_dir (str): Mask folder under ``masks``.
        max_images (int, optional): Keep the first N.
        scene (str, optional): Scene saliency root (``fixations.mat``, ``stimuli/``).
        fixation_maps (str, optional): Root holding ``img_dir`` and ``fixation_dir``.
        img_dir (str): Image folder under ``fixation_maps`` (MIT1003: ``ALLSTIMULI``).
        fixation_dir (str): Fixation-map folder under ``fixation_maps`` (MIT1003:
            ``ALLFIXATIONMAPS``); the density maps are there too.
        fixation_suffix (str): What follows the stem in a fixation map's name
            (``'_fixPts.jpg'``; ``'.png'`` for plain same-stem folders).
        density_suffix (str, optional): The same for density maps (``'_fixMap.jpg'``);
            None blurs the fixations instead (0.03 of the image width).

    Returns:
        list[dict]: Samples with ``img``, ``img_path``, ``fixation_map``,
        ``fixation_density`` and ``relative_fixations``.

    Raises:
        ValueError: Unless exactly one source is given, or when no image has ground truth.
    """
    sources = dict(osie=osie, scene=scene, fixation_maps=fixation_maps, masks=masks)
    given = [name for name, root in sources.items() if root is not None]
    if len(given) != 1:
        raise ValueError('give exactly one ground truth: osie=<OSIE root>, scene=<Scene '
                         'saliency root>, fixation_maps=<root of images and fixation maps> '
                         f'or masks=<root of images with saliency masks>; got {given or "none"}')
    if osie is not None:
        samples = fixation_ground_truth(
            OSIEFixations(data_root=osie, split=split, lazy_init=False))
    elif scene is not None:
        samples = fixation_ground_truth(
            SceneSaliencyFixations(data_root=scene, split=split, lazy_init=False))
    elif fixation_maps is not None:
        samples = fixation_ground_truth(
            FixationMapFolder(data_root=fixation_maps, img_dir=img_dir,
                              fixation_dir=fixation_dir, fixation_suffix=fixation_suffix,
                              lazy_init=False),
            density_suffix=density_suffix, density_dir=osp.join(fixation_maps, fixation_dir))
    else:
        samples = mask_ground_truth(masks, list(img_dirs), saliency_dir)
    samples = list(islice(samples, max_images))
    if not samples:
        raise ValueError(f'no image with ground truth under {sources[given[0]]}')
    for sample in samples:
        rows, cols = np.nonzero(sample[FIXATION_MAP])
        sample['relative_fixations'] = relative_fixations(cols, rows,
                                                          sample[FIXATION_MAP].shape)
    return samples


def score_sample(prediction: np.ndarray, samples: Sequence[dict], index: int,
                 metrics: Sequence[str]) -> Dict[str, float]:
    """Score a prediction for ``samples[index]`` on :data:`ALIGNMENT_METRICS`.

    ``'sauc'`` takes the other samples' fixations as negatives, ``'info_gain'`` the centre
    bias as baseline; the rest are :func:`score_saliency`'s (the prediction is resized to
    the ground truth for all).
    """
    sample = samples[index]
    unknown = set(metrics) - set(ALIGNMENT_METRICS)
    if unknown:
        raise ValueError(f'unknown metrics {sorted(unknown)}; choose from {ALIGNMENT_METRICS}')
    scores = score_saliency(prediction, sample, [m for m in metrics if m in SALIENCY_METRICS])
    shape = sample[FIXATION_MAP].shape
    full = resize_map(np.asarray(prediction, dtype=np.float64), shape)
    if 'sauc' in metrics:
        negatives = shuffled_negatives([s['relative_fixations'] for s in samples], index,
                                       shape)
        scores['sauc'] = shuffled_auc(full, sample[FIXATION_MAP], negatives)
    if 'info_gain' in metrics:
        scores['info_gain'] = information_gain(np.clip(full, 0, None), sample[FIXATION_MAP],
                                               center_bias(shape))
    return scores


def attention_scores(model: torch.nn.Module, samples: Sequence[dict], size: int,
                     metrics: Sequence[str] = tuple(SALIENCY_METRICS),
                     progress: bool = True, gradcam_layer: Optional[str] = None) -> List[Dict]:
    """Score the model's attention on each sample against its ground truth.

    Each image is resized (aspect kept) so its short side is ``size``, the attention is
    computed (:func:`model_attention`) and scored at the ground truth's resolution.

    Args:
        model (nn.Module): The model.
        samples (Sequence[dict]): From :func:`osie_ground_truth` / :func:`mask_ground_truth`.
        size (int): Short side of the model's input.
        metrics (Sequence[str]): Saliency metric names.
        progress (bool): Show a progress bar with an ETA.
        gradcam_layer (str, optional): Grad-CAM on this layer instead of the model's own
            attention (:func:`model_attention`).

    Returns:
        list[dict]: Per image: the scores and ``attention`` ((h, w) map).
    """
    resize = SaliencyResize(size, edge='short')
    bar = ProgressBar(len(samples)) if progress else None
    results = []
    for index, sample in enumerate(samples):
        view = resize(dict(img=sample['img']))
        attention = model_attention(model, preprocess_images(model, [view['img']]),
                                    gradcam_layer)[0]
        scores = score_sample(attention.numpy(), samples, index, metrics)
        scores['attention'] = attention.numpy()
        results.append(scores)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.file.write('\n')
    return results


def center_bias_scores(samples: Sequence[dict],
                       metrics: Sequence[str] = tuple(SALIENCY_METRICS)) -> List[Dict]:
    """The center-bias baseline scored on the same samples."""
    return [score_sample(center_bias(s[FIXATION_MAP].shape), samples, index, metrics)
            for index, s in enumerate(samples)]


def summarise(per_image: Sequence[Dict], metrics: Sequence[str]) -> Dict[str, float]:
    """Mean and standard deviation of each metric over images."""
    summary = {}
    for name in metrics:
        values = np.array([scores[name] for scores in per_image])
        summary[name] = float(values.mean())
        summary[f'{name}_std'] = float(values.std())
    return summary
