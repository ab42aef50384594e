"""Saliency-constrained crop boxes (CAST, Selvaraju et al., CVPR 2021).

A box is proposed as RandomResizedCrop proposes it (area fraction uniform in ``scale``,
aspect ratio log-uniform in ``ratio``, position uniform) and accepted when it holds at least
``min_salient_fraction`` of all salient pixels; after ``max_tries`` proposals without an
accepted box, a fallback box is grown from the salient pixels' bounding box.

Counting: each proposal's salient pixels are counted directly, ``np.count_nonzero`` on the
box's view of the boolean mask. That is O(box area) but vectorised (about 0.06 ns a pixel,
6 us for a 250x380 box), while a summed-area table, O(1) per box, first costs two
``cumsum`` passes over the whole mask (about 1 ms for 481x321): with at most ``max_tries``
boxes per mask the table never pays for itself.

Differences from the authors' release (``get_random_crop_coords_mask_cover``): the release
draws the box center from a truncated Gaussian around the mask's centroid (sigma = image
size, a weak pull) where this module draws it uniformly, as RandomResizedCrop does; and its
fallback grows the bounding box by random margins and then trims it towards the ratio range,
where this one takes the smallest box that satisfies the ratio and scale ranges (see
:meth:`SaliencyCropSampler.sample`) at a random position.
"""
import math
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

from ._utils import as_numpy
from .maps import match_map_to_image, resize_map, to_mask

RandomGenerator = Union[np.random.Generator, np.random.RandomState]


@dataclass(frozen=True)
class CropAttempt:
    """A proposed box that fit in the image, and the share of salient pixels it held."""
    top: int
    left: int
    height: int
    width: int
    salient_fraction: float


@dataclass(frozen=True)
class CropBox:
    """A sampled crop box, in pixels, and how it was found.

    Attributes:
        top (int): first row of the box.
        left (int): first column of the box.
        height (int): rows in the box.
        width (int): columns in the box.
        salient_fraction (float): share of the mask's salient pixels inside the box
            (0.0 for an empty mask).
        fallback (bool): True when no proposal held enough salient pixels and the box was
            grown from the salient pixels' bounding box.
        empty_mask (bool): True when the mask had no salient pixel: the box is a plain
            RandomResizedCrop box, and the sample carries no saliency signal (CAST leaves it
            out of its attention loss).
        attempts (tuple[CropAttempt, ...]): the proposals that fit in the image, in order;
            when ``fallback`` is False the last one is the returned box.
    """
    top: int
    left: int
    height: int
    width: int
    salient_fraction: float
    fallback: bool = False
    empty_mask: bool = False
    attempts: Tuple[CropAttempt, ...] = ()

    @property
    def slices(self) -> Tuple[slice, slice]:
        """(rows, columns) slices: ``array[box.slices]`` is the crop."""
        return (slice(self.top, self.top + self.height),
                slice(self.left, self.left + self.width))


def as_bool_mask(mask) -> np.ndarray:
    """(H, W) boolean view of a mask; nonzero pixels are salient.

    Args:
        mask (np.ndarray | torch.Tensor): (H, W) mask, boolean or numeric.

    Returns:
        np.ndarray: boolean array of shape (H, W) (the input itself when it already is one).
    """
    arr = as_numpy(mask, 'mask')
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f'mask must be a non-empty 2-D (H, W) array, got shape '
                         f'{tuple(arr.shape)}; threshold saliency maps with to_mask first')
    return arr if arr.dtype == np.bool_ else arr != 0


def _randint(rng, low: int, high: int) -> int:
    """Uniform integer in [low, high] from a Generator, a RandomState or ``np.random``."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(low, high + 1))
    return int(rng.randint(low, high + 1))


class SaliencyCropSampler:
    """Sample crop boxes that keep a share of the salient pixels (CAST's constrained crop).

    Args:
        scale (tuple[float, float]): range of the box area as a fraction of the image area,
            within (0, 1].
        ratio (tuple[float, float]): range of the box aspect ratio (width / height), drawn
            log-uniformly.
        min_salient_fraction (float): a proposal is accepted when it holds at least this
            share of all salient pixels (``count / total >= min_salient_fraction``).
        max_tries (int): proposals before the fallback box.

    Example:
        >>> import numpy as np
        >>> mask = np.zeros((60, 80), dtype=bool)
        >>> mask[10:30, 40:70] = True
        >>> box = SaliencyCropSampler().sample(mask, rng=np.random.default_rng(0))
        >>> bool(box.salient_fraction >= 0.2), box.fallback, box.empty_mask
        (True, False, False)
        >>> crop = mask[box.slices]
    """

    def __init__(self, scale: Sequence[float] = (0.2, 1.0),
                 ratio: Sequence[float] = (3 / 4, 4 / 3),
                 min_salient_fraction: float = 0.2, max_tries: int = 10):
        scale = tuple(float(s) for s in scale)
        ratio = tuple(float(r) for r in ratio)
        if len(scale) != 2 or not 0 < scale[0] <= scale[1] <= 1:
            raise ValueError(f'scale must be (min, max) area fractions with '
                             f'0 < min <= max <= 1, got {scale}')
        if len(ratio) != 2 or not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must be (min, max) aspect ratios with 0 < min <= max, '
                             f'got {ratio}')
        if not 0 <= min_salient_fraction <= 1:
            raise ValueError(f'min_salient_fraction must be in [0, 1], got '
                             f'{min_salient_fraction}')
        if int(max_tries) != max_tries or max_tries < 1:
            raise ValueError(f'max_tries must be a positive integer, got {max_tries}')
        self.scale = scale
        self.ratio = ratio
        self.min_salient_fraction = float(min_salient_fraction)
        self.max_tries = int(max_tries)
        self._log_ratio = (math.log(ratio[0]), math.log(ratio[1]))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scale={self.scale}, ratio={self.ratio}, '
                f'min_salient_fraction={self.min_salient_fraction}, '
                f'max_tries={self.max_tries})')

    def sample(self, mask, rng: Optional[RandomGenerator] = None) -> CropBox:
        """Sample one crop box for a mask.

        Up to ``max_tries`` boxes are proposed as in mmpretrain's RandomResizedCrop (same
        draws, in the same order); the first that fits in the image and holds at least
        ``min_salient_fraction`` of the salient pixels is returned. If none does, the
        fallback box is the smallest box that contains the salient pixels' bounding box and
        lies in the image, choosing, in this order of priority, the aspect ratio closest to
        ``ratio``, then the area closest to ``scale``; it is placed at a uniformly random
        position that keeps the bounding box inside. An empty mask gives a plain
        RandomResizedCrop box (with its central-crop fallback), flagged ``empty_mask``.

        Args:
            mask (np.ndarray | torch.Tensor): (H, W) binary mask, nonzero = salient
                (threshold saliency maps with :func:`to_mask`).
            rng (np.random.Generator | np.random.RandomState, optional): random source;
                numpy's global RNG by default, so that data-loader worker seeding applies.

        Returns:
            CropBox: the box, with ``fallback``, ``empty_mask`` and the ``attempts``.
        """
        mask = as_bool_mask(mask)
        if rng is None:
            rng = np.random
        elif not isinstance(rng, (np.random.Generator, np.random.RandomState)):
            raise ValueError(f'rng must be a numpy Generator or RandomState (e.g. '
                             f'np.random.default_rng(seed)), got {type(rng).__name__}')
        height, width = mask.shape
        total = np.count_nonzero(mask)
        if total == 0:
            box = self._random_box(height, width, rng)
            return CropBox(*box, salient_fraction=0.0, empty_mask=True)

        attempts = []
        for _ in range(self.max_tries):
            box = self._propose(height, width, rng)
            if box is None:
                continue
            top, left, box_h, box_w = box
            fraction = np.count_nonzero(mask[top:top + box_h, left:left + box_w]) / total
            attempts.append(CropAttempt(top, left, box_h, box_w, fraction))
            if fraction >= self.min_salient_fraction:
                return CropBox(*box, salient_fraction=fraction, attempts=tuple(attempts))
        # The fallback holds the salient pixels' bounding box, hence all of them.
        return CropBox(*self._fallback_box(mask, rng), salient_fraction=1.0, fallback=True,
                       attempts=tuple(attempts))

    def _propose(self, height: int, width: int, rng) -> Optional[Tuple[int, int, int, int]]:
        """One RandomResizedCrop proposal (top, left, h, w), or None if it does not fit."""
        target_area = rng.uniform(*self.scale) * height * width
        aspect_ratio = math.exp(rng.uniform(*self._log_ratio))
        box_w = int(round(math.sqrt(target_area * aspect_ratio)))
        box_h = int(round(math.sqrt(target_area / aspect_ratio)))
        if 0 < box_w <= width and 0 < box_h <= height:
            top = _randint(rng, 0, height - box_h)
            left = _randint(rng, 0, width - box_w)
            return top, left, box_h, box_w
        return None

    def _random_box(self, height: int, width: int, rng) -> Tuple[int, int, int, int]:
        """RandomResizedCrop's box: proposals, then the central crop of the ratio range."""
        for _ in range(self.max_tries):
            box = self._propose(height, width, rng)
            if box is not None:
                return box
        in_ratio = width / height
        # max(1, ...): RandomResizedCrop would return an empty box for a sliver image.
        if in_ratio < self.ratio[0]:
            box_w, box_h = width, max(1, int(round(width / self.ratio[0])))
        elif in_ratio > self.ratio[1]:
            box_w, box_h = max(1, int(round(height * self.ratio[1]))), height
        else:
            box_w, box_h = width, height
        return (height - box_h) // 2, (width - box_w) // 2, box_h, box_w

    def _fallback_box(self, mask: np.ndarray, rng) -> Tuple[int, int, int, int]:
        """A box grown from the salient bounding box, at a random position around it."""
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        top0, left0 = int(rows[0]), int(cols[0])
        bbox_h, bbox_w = int(rows[-1]) + 1 - top0, int(cols[-1]) + 1 - left0
        height, width = mask.shape
        box_h, box_w = self.fallback_size(bbox_h, bbox_w, height, width)
        top = _randint(rng, max(0, top0 + bbox_h - box_h), min(top0, height - box_h))
        left = _randint(rng, max(0, left0 + bbox_w - box_w), min(left0, width - box_w))
        return top, left, box_h, box_w

    def fallback_size(self, bbox_h: int, bbox_w: int, height: int,
                      width: int) -> Tuple[int, int]:
        """Size (h, w) of the fallback box for a bounding box in an image.

        Among the sizes with ``bbox_h <= h <= height`` and ``bbox_w <= w <= width``, the one
        that minimises, in this order, the aspect ratio's distance to ``ratio`` (in log
        space), the area's distance to the ``scale`` range, and the area.

        Args:
            bbox_h (int): height of the salient pixels' bounding box.
            bbox_w (int): width of the salient pixels' bounding box.
            height (int): image height.
            width (int): image width.

        Returns:
            tuple[int, int]: (h, w) of the fallback box.
        """
        image_area = height * width
        min_area, max_area = self.scale[0] * image_area, self.scale[1] * image_area
        # For each height the best width is one of these candidates (the ends of the ratio
        # range, of the scale range, or the bounding box's own width), clipped to the image;
        # checking them is exact and O(H) instead of O(H * W).
        heights = np.arange(bbox_h, height + 1, dtype=np.float64)
        widths = np.clip(np.stack([np.ceil(self.ratio[0] * heights),
                                   np.floor(self.ratio[1] * heights),
                                   np.ceil(min_area / heights),
                                   np.floor(max_area / heights),
                                   np.full_like(heights, bbox_w)]), bbox_w, width)
        heights = np.broadcast_to(heights, widths.shape)
        ratio_gap, scale_gap, area = _fallback_objective(heights, widths, self.ratio,
                                                         min_area, max_area)
        best = ratio_gap == ratio_gap.min()
        best &= scale_gap == scale_gap[best].min()
        index = np.argmin(np.where(best, area, np.inf))
        return int(heights.flat[index]), int(widths.flat[index])


def _fallback_objective(heights: np.ndarray, widths: np.ndarray, ratio: Tuple[float, float],
                        min_area: float, max_area: float):
    """(ratio gap, scale gap, area) of boxes, the fallback's lexicographic objective."""
    log_ratio = np.log(widths / heights)
    ratio_gap = np.maximum(0.0, np.maximum(math.log(ratio[0]) - log_ratio,
                                           log_ratio - math.log(ratio[1])))
    # ceil/floor of ratio * h can land a rounding error outside the range: not a real gap.
    ratio_gap[ratio_gap < 1e-9] = 0.0
    area = heights * widths
    scale_gap = np.maximum(0.0, np.maximum(min_area - area, area - max_area))
    return ratio_gap, scale_gap, area


def _pil_module():
    """PIL.Image if Pillow is installed (torchvision installs it), else None."""
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def _crop_resize_array(array: np.ndarray, box: CropBox, size: Tuple[int, int],
                       antialias: bool) -> np.ndarray:
    """Bilinear crop-and-resize of an (H, W) or (H, W, C) array, keeping its dtype."""
    # Copying the crop also makes it writable (PIL-backed arrays are read-only).
    crop = torch.from_numpy(np.array(array[box.slices], order='C'))
    batch = crop[None, None] if crop.ndim == 2 else crop.permute(2, 0, 1)[None]
    if batch.dtype != torch.uint8:
        # torch resizes uint8 natively (and rounds); other dtypes go through float.
        batch = batch.float()
    out = F.interpolate(batch, size=size, mode='bilinear', align_corners=False,
                        antialias=antialias)[0]
    out = out[0] if crop.ndim == 2 else out.permute(1, 2, 0)
    out = out.numpy()
    if np.issubdtype(array.dtype, np.integer) and out.dtype != array.dtype:
        info = np.iinfo(array.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(array.dtype, copy=False)


def _as_unit_float(saliency: np.ndarray) -> np.ndarray:
    """Float32 copy; integer maps scaled to [0, 1] by their dtype's maximum."""
    if np.issubdtype(saliency.dtype, np.integer):
        return saliency.astype(np.float32) / np.iinfo(saliency.dtype).max
    return saliency.astype(np.float32)


class SaliencyConstrainedCrop:
    """Crop an image and its saliency map with one saliency-constrained box, resize both.

    A framework-free transform for torchvision- or lightly-style pipelines: the box comes
    from :class:`SaliencyCropSampler` on the thresholded saliency map; the image and the
    saliency map are cropped with the same box and resized bilinearly to ``size``. The map
    must be the image's size, or of its aspect ratio (then it is resized to the image first);
    any other map raises, as in every saliency pipeline of this package
    (:func:`~attn_plugins.saliency.maps.match_map_to_image`).

    Args:
        size (int | tuple[int, int]): output (height, width); an int gives a square.
        scale (tuple[float, float]): box area range, as a fraction of the image area.
        ratio (tuple[float, float]): box aspect-ratio (width / height) range.
        min_salient_fraction (float): share of the salient pixels a box must hold.
        max_tries (int): proposals before the fallback box.
        threshold (float): mask threshold as a fraction of the value range (see
            :func:`to_mask`; 0.5 means > 127 for uint8 maps).
        antialias (bool): low-pass filter when shrinking, as PIL's resize does.

    Example:
        >>> import numpy as np
        >>> image = np.zeros((120, 160, 3), dtype=np.uint8)
        >>> saliency = np.zeros((120, 160), dtype=np.uint8)
        >>> saliency[30:70, 80:140] = 255
        >>> transform = SaliencyConstrainedCrop(64)
        >>> image_crop, saliency_crop = transform(image, saliency, rng=np.random.default_rng(0))
        >>> image_crop.shape, image_crop.dtype, saliency_crop.shape, saliency_crop.dtype
        ((64, 64, 3), dtype('uint8'), (64, 64), dtype('float32'))
    """

    def __init__(self, size: Union[int, Sequence[int]], scale: Sequence[float] = (0.2, 1.0),
                 ratio: Sequence[float] = (3 / 4, 4 / 3), min_salient_fraction: float = 0.2,
                 max_tries: int = 10, threshold: float = 0.5, antialias: bool = True):
        size = (size, size) if isinstance(size, int) else tuple(size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f'size must be a positive int or (height, width), got {size}')
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'threshold must be a fraction of the value range in [0, 1], '
                             f'got {threshold}')
        self.size = (int(size[0]), int(size[1]))
        self.sampler = SaliencyCropSampler(scale, ratio, min_salient_fraction, max_tries)
        self.threshold = threshold
        self.antialias = antialias

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, sampler={self.sampler!r}, '
                f'threshold={self.threshold}, antialias={self.antialias})')

    def __call__(self, image, saliency, rng: Optional[RandomGenerator] = None):
        """Crop and resize an image and its saliency map with one sampled box.

        Args:
            image (PIL.Image.Image | np.ndarray): the image, PIL or (H, W) / (H, W, C) array.
            saliency (PIL.Image.Image | np.ndarray | torch.Tensor): (H, W) saliency map or
                mask, uint8, bool or float in [0, 1].
            rng (np.random.Generator | np.random.RandomState, optional): random source;
                numpy's global RNG by default.

        Returns:
            tuple: ``(image_crop, saliency_crop)``: the image resized to ``size`` (PIL stays
            PIL, arrays keep their dtype) and the saliency crop as a float32 (height, width)
            array in the input's scale, integer maps scaled to [0, 1] (threshold it with
            :func:`to_mask` for a mask).

        Raises:
            ValueError: If the map's size differs from the image's and so does its aspect
                ratio (:func:`~attn_plugins.saliency.maps.match_map_to_image`; a map of the
                same aspect ratio is resized to the image first).
        """
        saliency = _match_image(as_numpy(saliency, 'saliency'), image)
        mask = to_mask(saliency, self.threshold)
        return self.crop(image, saliency, self.sampler.sample(mask, rng))

    def crop(self, image, saliency, box: CropBox):
        """Crop an image and its saliency map with a given box and resize both to ``size``.

        Args:
            image (PIL.Image.Image | np.ndarray): the image.
            saliency (PIL.Image.Image | np.ndarray | torch.Tensor): its (H, W) saliency map.
            box (CropBox): the box, e.g. from ``self.sampler.sample(mask)``.

        Returns:
            tuple: ``(image_crop, saliency_crop)`` as for :meth:`__call__`.
        """
        pil = _pil_module()
        if pil is not None and isinstance(image, pil.Image):
            image_crop = image.resize(
                (self.size[1], self.size[0]), resample=pil.Resampling.BILINEAR,
                box=(box.left, box.top, box.left + box.width, box.top + box.height))
        else:
            image_crop = _crop_resize_array(as_numpy(image, 'image'), box, self.size,
                                            self.antialias)
        saliency = _match_image(as_numpy(saliency, 'saliency'), image)
        saliency_crop = resize_map(_as_unit_float(saliency[box.slices]), self.size,
                                   self.antialias)
        return image_crop, saliency_crop


def _match_image(saliency: np.ndarray, image) -> np.ndarray:
    """``saliency`` at the image's size, by :func:`match_map_to_image` (a resized map is
    first scaled to [0, 1], so an integer map keeps its threshold meaning)."""
    image_hw = _image_hw(image)
    if saliency.shape == image_hw:
        return saliency
    return match_map_to_image(_as_unit_float(saliency), image_hw)


def _image_hw(image) -> Tuple[int, int]:
    """(height, width) of a PIL image or an (H, W[, C]) array."""
    pil = _pil_module()
    if pil is not None and isinstance(image, pil.Image):
        return image.height, image.width
    if isinstance(image, torch.Tensor):
        raise ValueError('image must be a PIL image or an (H, W) / (H, W, C) numpy array; '
                         'crop before converting to a (C, H, W) tensor')
    arr = as_numpy(image, 'image')
    if arr.ndim not in (2, 3):
        raise ValueError(f'image must be (H, W) or (H, W, C), got shape {tuple(arr.shape)}')
    return arr.shape[0], arr.shape[1]
