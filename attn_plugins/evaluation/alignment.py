"""Attention alignment: how well a model's attention matches human fixations or saliency
masks, scored with the saliency benchmark metrics next to the center-bias baseline."""
from itertools import islice
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import LoadImageFromFile
from mmengine.utils import ProgressBar

from ..data import (FixationsToDensity, LoadSaliencyMap, OSIEFixations, SaliencyImageFolder,
                    SaliencyResize)
from ..saliency import (OSIE_PIXELS_PER_DEGREE, center_bias, fixations_to_map, to_distribution,
                        to_mask)
from .model_attention import model_attention, preprocess_images
from .saliency_metric import SALIENCY_METRICS, score_saliency


def osie_ground_truth(data_root: str, split: Optional[str] = 'val',
                      sigma_deg: float = 1.0) -> Iterator[dict]:
    """OSIE images with their fixation maps and densities (one degree of blur).

    Yields:
        dict: ``img`` (H, W, 3) BGR, ``img_path``, ``fixation_map`` and
        ``fixation_density`` (H, W) at the image's resolution.
    """
    dataset = OSIEFixations(data_root=data_root, split=split, lazy_init=False)
    load = LoadImageFromFile()
    to_density = FixationsToDensity(sigma_deg=sigma_deg,
                                    pixels_per_degree=OSIE_PIXELS_PER_DEGREE)
    for index in range(len(dataset)):
        results = to_density(load(dataset.get_data_info(index)))
        points = results['fixation_points']
        results['fixation_map'] = fixations_to_map(points[:, 0], points[:, 1],
                                                   results['img'].shape[:2], one_based=False)
        yield results


def mask_ground_truth(data_root: str, img_dirs, saliency_dir: str,
                      threshold: float = 0.5) -> Iterator[dict]:
    """Images with binary saliency masks used as ground truth: the mask is the "fixation
    map" (NSS, AUC-Judd) and, normalised, the "density" (CC, KLD, SIM).

    Yields:
        dict: ``img``, ``img_path``, ``fixation_map`` and ``fixation_density`` (H, W).
    """
    dataset = SaliencyImageFolder(data_root=data_root, img_dirs=img_dirs,
                                  saliency_dir=saliency_dir, missing_saliency='skip')
    load, load_map = LoadImageFromFile(), LoadSaliencyMap()
    for index in range(len(dataset)):
        results = load_map(load(dataset.get_data_info(index)))
        mask = to_mask(results['saliency'], threshold).astype(np.float32)
        if not mask.any():
            continue  # nothing salient to score against
        results['fixation_map'] = mask
        results['fixation_density'] = to_distribution(mask)
        yield results


def load_ground_truth(osie: Optional[str] = None, split: Optional[str] = 'val',
                      masks: Optional[str] = None, img_dirs: Sequence[str] = ('images', ),
                      saliency_dir: str = 'saliency',
                      max_images: Optional[int] = None) -> List[dict]:
    """The ground truth to score attention against, from OSIE fixations or saliency masks.

    Args:
        osie (str, optional): OSIE root (``fixations.mat``, ``images/``).
        split (str, optional): OSIE split, ``'train'``, ``'val'`` (images 1601-1700) or
            None for all 700.
        masks (str, optional): Root of an image folder with binary masks.
        img_dirs (Sequence[str]): Image folders under ``masks``.
        saliency_dir (str): Mask folder under ``masks``.
        max_images (int, optional): Keep the first N.

    Returns:
        list[dict]: Samples as :func:`osie_ground_truth` / :func:`mask_ground_truth` yield.

    Raises:
        ValueError: Unless exactly one of ``osie`` and ``masks`` is given, or when no image
            has ground truth.
    """
    if (osie is None) == (masks is None):
        raise ValueError('give exactly one ground truth: osie=<OSIE root> or masks=<root of '
                         'images with saliency masks>')
    if osie is not None:
        samples = osie_ground_truth(osie, split)
    else:
        samples = mask_ground_truth(masks, list(img_dirs), saliency_dir)
    samples = list(islice(samples, max_images))
    if not samples:
        raise ValueError(f'no image with ground truth under {osie or masks}')
    return samples


def attention_scores(model: torch.nn.Module, samples: Sequence[dict], size: int,
                     metrics: Sequence[str] = tuple(SALIENCY_METRICS),
                     progress: bool = True) -> List[Dict]:
    """Score the model's attention on each sample against its ground truth.

    Each image is resized (aspect kept) so its short side is ``size``, the attention is
    computed (:func:`model_attention`) and scored at the ground truth's resolution.

    Args:
        model (nn.Module): The model.
        samples (Sequence[dict]): From :func:`osie_ground_truth` / :func:`mask_ground_truth`.
        size (int): Short side of the model's input.
        metrics (Sequence[str]): Saliency metric names.
        progress (bool): Show a progress bar with an ETA.

    Returns:
        list[dict]: Per image: the scores and ``attention`` ((h, w) map).
    """
    resize = SaliencyResize(size, edge='short')
    bar = ProgressBar(len(samples)) if progress else None
    results = []
    for sample in samples:
        view = resize(dict(img=sample['img']))
        attention = model_attention(model, preprocess_images(model, [view['img']]))[0]
        scores = score_saliency(attention.numpy(), sample, metrics)
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
    return [score_saliency(center_bias(s['fixation_map'].shape), s, metrics) for s in samples]


def summarise(per_image: Sequence[Dict], metrics: Sequence[str]) -> Dict[str, float]:
    """Mean and standard deviation of each metric over images."""
    summary = {}
    for name in metrics:
        values = np.array([scores[name] for scores in per_image])
        summary[name] = float(values.mean())
        summary[f'{name}_std'] = float(values.std())
    return summary
