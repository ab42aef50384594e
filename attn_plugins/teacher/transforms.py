"""Transforms of the teacher method: empty maps for unlabeled images, fixation points drawn
from a map (to score a student against the teacher as against humans), and the copy of a view
that ``OnlineTeacherHook`` labels."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from ..data.fields import FIXATION_DENSITY
from ..data.transforms import MAP_KEYS, POINT_KEYS
from .losses import fixation_like_map


@TRANSFORMS.register_module()
class AddEmptyMaps(BaseTransform):
    """Give a sample an all-zero map (or no points) for each of ``keys`` it lacks.

    Co-training on human labels mixes a large unlabeled set with a small fixation set
    (``ConcatDataset``), and every sample of a batch must carry the same fields: the
    unlabeled images get an all-zero ``fixation_density`` and no ``fixation_points`` (so an
    all-zero ``fixation_map``), which the attention loss leaves out. An all-zero
    ``saliency`` makes ``SaliencyConstrainedRandomResizedCrop`` take a plain random crop
    (its empty-mask case), so samples without a saliency map can share its pipeline.
    Geometric transforms crop and flip the empty fields like real ones. Place it after
    ``LoadImageFromFile`` (and after the transforms that make the real fields).

    Args:
        keys (Sequence[str]): any of ``'saliency'``, ``'fixation_density'`` (maps at the
            image size) and ``'fixation_points'`` ((0, 2) points).
    """

    def __init__(self, keys: Sequence[str] = (FIXATION_DENSITY, 'fixation_points')) -> None:
        unknown = [k for k in keys if k not in (*MAP_KEYS, *POINT_KEYS)]
        if unknown:
            raise ValueError(f'AddEmptyMaps: unknown keys {unknown}; choose from '
                             f'{(*MAP_KEYS, *POINT_KEYS)}')
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        for key in self.keys:
            if key not in results:
                results[key] = np.zeros((0, 2) if key in POINT_KEYS else (height, width),
                                        np.float32)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(keys={self.keys})'


@TRANSFORMS.register_module()
class FixationsFromMap(BaseTransform):
    """Set ``fixation_points`` at the pixels :func:`fixation_like_map` picks from a map.

    With the teacher's map loaded as ``fixation_density`` (``LoadSaliencyMap``), this makes
    its fixation-like map ``p_t`` the "fixations", so ``SaliencyMetric`` scores a student's
    attention against the teacher (NSS and AUC against ``p_t``; CC, KLD and SIM against the
    map) the way it scores a model against humans, with the center-bias baseline beside it.

    Args:
        key (str): the map to derive fixations from.
        method (str): ``'topk'``, ``'threshold'`` or ``'sample'``.
        ratio (float): share of pixels (``'topk'``) or fraction of the maximum
            (``'threshold'``).
        num_fixations (int): points drawn by ``'sample'``.
    """

    def __init__(self, key: str = FIXATION_DENSITY, method: str = 'topk', ratio: float = 0.02,
                 num_fixations: int = 16) -> None:
        fixation_like_map(torch.zeros(1, 1, 1), method, ratio, num_fixations)  # validates
        self.key = key
        self.method = method
        self.ratio = ratio
        self.num_fixations = num_fixations

    def transform(self, results: dict) -> dict:
        if self.key not in results:
            raise KeyError(f'FixationsFromMap: {results.get("img_path", "the sample")} has no '
                           f'{self.key!r}; load it first (LoadSaliencyMap(key={self.key!r}))')
        saliency = torch.from_numpy(np.asarray(results[self.key], np.float32))[None]
        fixations = fixation_like_map(saliency, self.method, self.ratio, self.num_fixations)[0]
        rows, cols = np.nonzero(fixations.numpy())
        results['fixation_points'] = np.stack([cols, rows], axis=1).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, method={self.method!r}, '
                f'ratio={self.ratio})')


@TRANSFORMS.register_module()
class KeepTeacherView(BaseTransform):
    """Keep the view as it is at this point of the pipeline, for ``OnlineTeacherHook``.

    Place it after a view's geometric steps (crop, resize, flip) and before its photometric
    ones (colour jitter, grayscale, blur): ``key`` then holds the un-jittered crop, pixel for
    pixel aligned with the image the student gets, and ``OnlineTeacherHook(image_key=key)``
    runs the teacher on it. The teacher then labels what is in the view, as the offline
    ``tools/gen_saliency.py`` pass labels the clean image, instead of a recoloured or blurred
    version of it. In a two-view pipeline, list ``key`` in ``SaliencyMultiView``'s
    ``extra_keys`` and in ``PackSaliencyInputs``' (or ``PackInputs``') ``algorithm_keys``.

    Args:
        key (str): where the copy goes: a ``(3, H, W)`` uint8 tensor (the image's channel
            order, BGR for ``LoadImageFromFile``), the layout ``PackInputs`` gives ``img``.
    """

    def __init__(self, key: str = 'teacher_img') -> None:
        if key == 'img':
            raise ValueError("KeepTeacherView: key must differ from 'img', which the "
                             'following steps change; use e.g. teacher_img')
        self.key = key

    def transform(self, results: dict) -> dict:
        img = np.asarray(results['img'])
        if img.ndim == 2:  # a grey image: the teacher's preprocessor wants three channels
            img = np.repeat(img[..., None], 3, axis=2)
        # A copy: the photometric steps after this one may change ``img`` in place.
        results[self.key] = torch.from_numpy(img.transpose(2, 0, 1).copy())
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(key={self.key!r})'
