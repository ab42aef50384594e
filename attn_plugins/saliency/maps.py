"""Saliency maps: normalisation, masks, fixation maps and densities, the center-bias baseline.

Conventions (DESIGN.md, "Saliency conventions"):

- A *saliency map* is a non-negative float map the size of its image, shape (H, W).
  As a distribution it sums to 1 (:func:`to_distribution`); as a mask it is thresholded at
  half the 8-bit range (:func:`to_mask`).
- A *fixation map* is binary, 1 at recorded human fixations (:func:`fixations_to_map`).
- A *fixation density* is a fixation map blurred by a Gaussian of about one degree of visual
  angle and normalised to sum 1 (:func:`fixation_density`).
"""
import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter

from ._utils import as_float_map, as_numpy

#: Pixels per degree of visual angle for OSIE's 800x600 images (Xu et al., JoV 2014):
#: one degree is about 24 px, the usual blur for its fixation densities.
OSIE_PIXELS_PER_DEGREE = 24.0

ArrayOrTensor = Union[np.ndarray, torch.Tensor]


def to_distribution(saliency: ArrayOrTensor) -> ArrayOrTensor:
    """Normalise non-negative saliency maps to sum 1 over their last two dimensions.

    An all-zero map carries no information and becomes the uniform distribution
    ``1 / (H * W)``. For tensors the result is differentiable, and its gradient stays finite
    at all-zero maps (it is zero there).

    Args:
        saliency (np.ndarray | torch.Tensor): non-negative maps of shape (..., H, W).

    Returns:
        np.ndarray | torch.Tensor: maps of the same shape summing to 1 over (H, W); float64
        for numpy input, the input's float dtype (or torch's default float dtype) for tensors.
    """
    if not isinstance(saliency, torch.Tensor):
        saliency = as_numpy(saliency, 'saliency')
    if saliency.ndim < 2:
        raise ValueError(f'saliency must have shape (..., H, W), got shape {tuple(saliency.shape)}')
    if (saliency < 0).any():
        raise ValueError('saliency has negative values; a saliency map must be non-negative '
                         '(apply a softmax, sigmoid or ReLU, or subtract the minimum, first)')
    if isinstance(saliency, torch.Tensor):
        if not saliency.is_floating_point():
            saliency = saliency.to(torch.get_default_dtype())
        total = saliency.sum(dim=(-2, -1), keepdim=True)
        nonzero = total > 0
        # Divide by 1 where the sum is 0, so neither branch of `where` makes inf or NaN
        # (a NaN in the unused branch would still poison the gradient).
        normalised = saliency / torch.where(nonzero, total, torch.ones_like(total))
        uniform = torch.full_like(saliency, 1.0 / (saliency.shape[-2] * saliency.shape[-1]))
        return torch.where(nonzero, normalised, uniform)
    saliency = saliency.astype(np.float64)
    total = saliency.sum(axis=(-2, -1), keepdims=True)
    uniform = np.full_like(saliency, 1.0 / (saliency.shape[-2] * saliency.shape[-1]))
    return np.where(total > 0, saliency / np.where(total > 0, total, 1.0), uniform)


def minmax_scale(maps: ArrayOrTensor, eps: float = 0.0) -> ArrayOrTensor:
    """Scale each map to [0, 1]: ``(m - min m) / (max m - min m + eps)`` over (H, W).

    A constant map (no spread and ``eps == 0``) becomes all zeros. Differentiable for
    tensors (CAST scales its Grad-CAM this way with ``eps = 1e-7``).

    Args:
        maps (np.ndarray | torch.Tensor): maps of shape (..., H, W).
        eps (float): added to the denominator.

    Returns:
        np.ndarray | torch.Tensor: scaled maps, same shape and type.
    """
    if maps.ndim < 2:
        raise ValueError(f'maps must have shape (..., H, W), got shape {tuple(maps.shape)}')
    if isinstance(maps, torch.Tensor):
        flat = maps.flatten(-2)
        low = flat.min(dim=-1, keepdim=True).values
        spread = flat.max(dim=-1, keepdim=True).values - low + eps
        spread = torch.where(spread > 0, spread, torch.ones_like(spread))
        return ((flat - low) / spread).view_as(maps)
    maps = as_numpy(maps, 'maps').astype(np.float64)
    low = maps.min(axis=(-2, -1), keepdims=True)
    spread = maps.max(axis=(-2, -1), keepdims=True) - low + eps
    return (maps - low) / np.where(spread > 0, spread, 1.0)


def to_mask(saliency: ArrayOrTensor, threshold: float = 0.5) -> ArrayOrTensor:
    """Binary mask of the salient pixels: values above ``threshold`` of the value range.

    CAST thresholds at half the 8-bit range: ``> 127`` for uint8 maps (``0.5 * 255 = 127.5``),
    ``> 0.5`` for float maps in [0, 1]. Integer maps are compared with ``threshold`` times
    their dtype's maximum, float maps with ``threshold`` itself (so a float map must already
    be scaled to [0, 1]); boolean maps are returned as they are. The authors' release uses
    ``> 128`` on uint8 masks: ``threshold=128 / 255`` reproduces it.

    Args:
        saliency (np.ndarray | torch.Tensor | PIL.Image.Image): saliency map(s), any shape.
        threshold (float): fraction of the value range, in [0, 1].

    Returns:
        np.ndarray | torch.Tensor: boolean mask of the same shape (a numpy array for PIL input).
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f'threshold must be a fraction of the value range in [0, 1], '
                         f'got {threshold}')
    # For integers, x > c is x > floor(c): comparing with an int keeps numpy in the map's
    # dtype, five times faster than promoting a uint8 map to float for the comparison.
    if isinstance(saliency, torch.Tensor):
        if saliency.dtype == torch.bool:
            return saliency
        if saliency.is_floating_point():
            return saliency > threshold
        return saliency > math.floor(threshold * torch.iinfo(saliency.dtype).max)
    saliency = as_numpy(saliency, 'saliency')
    if saliency.dtype == np.bool_:
        return saliency
    if np.issubdtype(saliency.dtype, np.integer):
        return saliency > math.floor(threshold * np.iinfo(saliency.dtype).max)
    return saliency > threshold


def resize_map(saliency: ArrayOrTensor, size: Tuple[int, int],
               antialias: bool = True) -> ArrayOrTensor:
    """Resize a map bilinearly, as the benchmark resizes predictions to the ground truth.

    Args:
        saliency (np.ndarray | torch.Tensor): map of shape (H, W).
        size (tuple[int, int]): output (height, width).
        antialias (bool): low-pass filter when shrinking (what PIL and MATLAB's imresize do).

    Returns:
        np.ndarray | torch.Tensor: map of shape ``size``, same type as the input, float
        (the input's float dtype, else float32), with values within the input's range.
    """
    is_tensor = isinstance(saliency, torch.Tensor)
    tensor = saliency if is_tensor else torch.from_numpy(
        np.ascontiguousarray(as_numpy(saliency, 'saliency')))
    if tensor.ndim != 2:
        raise ValueError(f'resize_map expects a 2-D (H, W) map, got shape {tuple(tensor.shape)}')
    height, width = (int(s) for s in size)
    if height < 1 or width < 1:
        raise ValueError(f'size must be two positive integers (height, width), got {size}')
    if not tensor.is_floating_point():
        tensor = tensor.float()
    if tuple(tensor.shape) != (height, width):
        resized = F.interpolate(tensor[None, None], size=(height, width), mode='bilinear',
                                align_corners=False, antialias=antialias)[0, 0]
        # Bilinear weights are convex: clamping only removes float rounding past the input
        # range (a [0, 1] map must not come back holding 1.0000001).
        low, high = torch.aminmax(tensor)
        tensor = resized.clamp_(low.item(), high.item())
    return tensor if is_tensor else tensor.numpy()


def same_aspect_ratio(first_hw: Tuple[int, int], second_hw: Tuple[int, int]) -> bool:
    """Whether one size is the other scaled uniformly, up to rounding.

    True when a single scale factor takes the larger size to the smaller one within one pixel
    per side (of the smaller one, where the rounding happened): ``481x321`` and ``240x160``
    pass, ``800x600`` and ``100x78`` do not.

    Args:
        first_hw (tuple[int, int]): (height, width).
        second_hw (tuple[int, int]): (height, width).

    Returns:
        bool: True if the two sizes have the same aspect ratio up to that rounding.

    Example:
        >>> same_aspect_ratio((321, 481), (160, 240)), same_aspect_ratio((600, 800), (78, 100))
        (True, False)
    """
    small, large = sorted(((int(first_hw[0]), int(first_hw[1])),
                           (int(second_hw[0]), int(second_hw[1]))), key=lambda hw: hw[0] * hw[1])
    # Each side of the smaller size allows the scale factors in [(s - 1) / l, (s + 1) / l];
    # the aspect ratio is the same when the two intervals share a factor.
    low = max((small[0] - 1) / large[0], (small[1] - 1) / large[1])
    high = min((small[0] + 1) / large[0], (small[1] + 1) / large[1])
    return low <= high


def match_map_to_image(saliency: ArrayOrTensor, image_hw: Tuple[int, int],
                       map_name: Optional[str] = None,
                       image_name: Optional[str] = None) -> ArrayOrTensor:
    """The one size contract between a saliency map and its image, for every caller.

    - same size: the map is returned unchanged (the same object);
    - same aspect ratio (:func:`same_aspect_ratio`: within one pixel per side), e.g. a map
      stored at half resolution: resized bilinearly to the image size (:func:`resize_map`),
      once, silently (it is a faithful copy of the map);
    - anything else: the map cannot be aligned with the image, and stretching it would move
      every salient pixel, so this is an error.

    Args:
        saliency (np.ndarray | torch.Tensor): the map, shape (h, w).
        image_hw (tuple[int, int]): the image's (height, width).
        map_name (str, optional): the map's file (or another name), for the error message.
        image_name (str, optional): the image's file, for the error message.

    Returns:
        np.ndarray | torch.Tensor: the map at ``image_hw``; a resized map is float (the
        input's float dtype, else float32) with values within the input's range.

    Raises:
        ValueError: If the map is not 2-D, or its aspect ratio differs from the image's.

    Example:
        >>> half = np.ones((150, 200), np.float32)
        >>> match_map_to_image(half, (300, 400)).shape
        (300, 400)
    """
    map_part = f'saliency map {map_name}' if map_name else 'a saliency map'
    image_part = f'its image {image_name}' if image_name else 'its image'
    shape = tuple(saliency.shape)
    if len(shape) != 2:
        raise ValueError(f'{map_part} must be 2-D (H, W), got shape {shape}')
    image_hw = (int(image_hw[0]), int(image_hw[1]))
    if shape == image_hw:
        return saliency
    if same_aspect_ratio(shape, image_hw):
        return resize_map(saliency, image_hw)
    raise ValueError(
        f'{map_part} is {shape[1]}x{shape[0]} (width x height) but {image_part} is '
        f'{image_hw[1]}x{image_hw[0]}: the aspect ratios differ, so the map cannot be aligned '
        'with the image (a map at the image size passes, one of the same aspect ratio is '
        'resized to it). Check that the map belongs to this image, or regenerate it at the '
        "image's size (tools/gen_saliency.py writes maps at the image size).")


def fixations_to_map(x: Sequence[float], y: Sequence[float], shape: Tuple[int, int], *,
                     one_based: bool, count: bool = False) -> np.ndarray:
    """Binary fixation map (or fixation counts) from fixation coordinates.

    Coordinates are pixel positions, x along the width and y along the height, origin at the
    top-left pixel; fractional values are rounded to the nearest pixel. ``one_based`` must be
    given: OSIE (and every MATLAB-made dataset) counts from 1, numpy from 0. Fixations outside
    the image (eye-tracker overshoot) and NaN coordinates are dropped; several fixations on
    one pixel give a single 1, as in the MIT benchmark's binary fixation maps, or their number
    with ``count=True`` (the negatives of :func:`~attn_plugins.saliency.shuffled_auc`).

    Args:
        x (sequence of float): column coordinates, shape (N,).
        y (sequence of float): row coordinates, shape (N,).
        shape (tuple[int, int]): (height, width) of the image.
        one_based (bool): True when the top-left pixel is (1, 1), False when it is (0, 0).
        count (bool): count the fixations per pixel instead of marking them.

    Returns:
        np.ndarray: float32 map of shape ``shape``, 1 (or the count) at fixated pixels and 0
        elsewhere.

    Example:
        >>> fixations_to_map([1, 3], [2, 2], (2, 3), one_based=True)
        array([[0., 0., 0.],
               [1., 0., 1.]], dtype=float32)
    """
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise ValueError(f'x and y must hold one coordinate per fixation, got {xs.size} x '
                         f'and {ys.size} y values')
    height, width = (int(s) for s in shape)
    fixation_map = np.zeros((height, width), dtype=np.float32)
    finite = np.isfinite(xs) & np.isfinite(ys)
    offset = 1 if one_based else 0
    cols = np.floor(xs[finite] + 0.5).astype(np.int64) - offset
    rows = np.floor(ys[finite] + 0.5).astype(np.int64) - offset
    inside = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
    if count:
        np.add.at(fixation_map, (rows[inside], cols[inside]), 1.0)
    else:
        fixation_map[rows[inside], cols[inside]] = 1.0
    return fixation_map


def fixation_density(fixation_map: ArrayOrTensor, sigma_px: Optional[float] = None,
                     sigma_deg: Optional[float] = None,
                     pixels_per_degree: Optional[float] = None) -> np.ndarray:
    """Fixation density: the fixation map blurred by a Gaussian and normalised to sum 1.

    Give the blur either in pixels (``sigma_px``) or in degrees of visual angle
    (``sigma_deg`` with ``pixels_per_degree``; one degree for OSIE is
    ``sigma_deg=1, pixels_per_degree=OSIE_PIXELS_PER_DEGREE``). Pixels outside the image
    count as empty (zero padding), so mass blurred over the border is lost before the map is
    renormalised.

    Args:
        fixation_map (np.ndarray | torch.Tensor): non-negative map of shape (H, W), binary
            or with fixation counts.
        sigma_px (float, optional): Gaussian standard deviation in pixels.
        sigma_deg (float, optional): Gaussian standard deviation in degrees of visual angle.
        pixels_per_degree (float, optional): display resolution, needed with ``sigma_deg``.

    Returns:
        np.ndarray: float64 density of shape (H, W) summing to 1.
    """
    if (sigma_px is None) == (sigma_deg is None):
        raise ValueError('give exactly one of sigma_px (pixels) or sigma_deg (degrees of '
                         f'visual angle), got sigma_px={sigma_px}, sigma_deg={sigma_deg}')
    if sigma_deg is not None:
        if pixels_per_degree is None:
            raise ValueError('sigma_deg needs pixels_per_degree (for OSIE use '
                             'OSIE_PIXELS_PER_DEGREE = 24)')
        sigma_px = sigma_deg * pixels_per_degree
    if not sigma_px > 0:
        raise ValueError(f'the Gaussian sigma must be positive, got {sigma_px} px')
    fixations = as_float_map(fixation_map, 'fixation_map')
    if (fixations < 0).any():
        raise ValueError('fixation_map has negative values; it must be binary or hold counts')
    if not fixations.any():
        raise ValueError('fixation_map has no fixations (all zero): its density is undefined')
    density = _gaussian_blur(fixations, sigma_px)
    return density / density.sum()


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """``scipy.ndimage.gaussian_filter(image, sigma, mode='constant')``, fast on sparse maps.

    A fixation map has a few hundred nonzero pixels; summing one separable kernel per pixel
    (a (H, n) @ (n, W) product) then beats filtering every row and column of the image.
    """
    radius = int(4.0 * sigma + 0.5)  # gaussian_filter's default truncation at 4 sigma
    rows, cols = np.nonzero(image)
    if rows.size > 2 * (2 * radius + 1):
        return gaussian_filter(image, sigma=sigma, mode='constant')
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()

    def kernel_rows(centres, size):
        # (n, size): kernel value at every position of the axis for each nonzero pixel.
        offsets = np.arange(size)[None, :] - centres[:, None]
        inside = np.abs(offsets) <= radius
        weights = np.zeros(offsets.shape)
        weights[inside] = kernel[offsets[inside] + radius]
        return weights

    height, width = image.shape
    return (kernel_rows(rows, height) * image[rows, cols][:, None]).T @ kernel_rows(cols, width)


def center_bias(shape: Tuple[int, int], sigma: float = 0.25) -> np.ndarray:
    """Center-bias baseline: a Gaussian at the image center, stretched to the image's aspect.

    The standard deviations are ``sigma`` times the height and the width, as in Judd et al.'s
    center baseline; observers look at the middle of a photo more than anywhere else, so any
    saliency model should beat this map.

    Args:
        shape (tuple[int, int]): (height, width) of the map.
        sigma (float): standard deviation as a fraction of each side.

    Returns:
        np.ndarray: float64 map of shape ``shape`` summing to 1.
    """
    height, width = (int(s) for s in shape)
    if height < 1 or width < 1:
        raise ValueError(f'shape must be two positive integers (height, width), got {shape}')
    if not sigma > 0:
        raise ValueError(f'sigma must be a positive fraction of the image side, got {sigma}')
    rows = (np.arange(height) - (height - 1) / 2) / (sigma * height)
    cols = (np.arange(width) - (width - 1) / 2) / (sigma * width)
    bias = np.exp(-0.5 * rows[:, None] ** 2) * np.exp(-0.5 * cols[None, :] ** 2)
    return bias / bias.sum()



def relative_fixations(x: Sequence[float], y: Sequence[float],
                       shape: Tuple[int, int]) -> np.ndarray:
    """Fixations as fractions of the image's width and height (0-based pixel centres).

    Args:
        x (sequence of float): 0-based column coordinates, shape (N,).
        y (sequence of float): 0-based row coordinates, shape (N,).
        shape (tuple[int, int]): (height, width) of the image they were recorded on.

    Returns:
        np.ndarray: (N, 2) float64 ``(x, y)`` in [0, 1) for points inside the image.
    """
    height, width = shape
    points = np.stack([np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()], 1)
    return (points + 0.5) / np.array([width, height], dtype=np.float64)


def shuffled_negatives(relative: Sequence[np.ndarray], index: int,
                       shape: Tuple[int, int]) -> np.ndarray:
    """Fixation counts of every image but ``index``, rescaled onto a ``shape`` grid.

    The negatives of :func:`~attn_plugins.saliency.shuffled_auc`: other images' fixations,
    which share the dataset's centre bias but not this image's content.

    Args:
        relative (sequence of np.ndarray): per image, its fixations from
            :func:`relative_fixations`.
        index (int): the image being scored (left out).
        shape (tuple[int, int]): (height, width) of that image.

    Returns:
        np.ndarray: float32 counts of shape ``shape``.

    Example:
        >>> import numpy as np
        >>> relative = [np.array([[0.1, 0.1]]), np.array([[0.9, 0.9], [0.9, 0.9]])]
        >>> shuffled_negatives(relative, 0, (2, 2))
        array([[0., 0.],
               [0., 2.]], dtype=float32)
    """
    others = [points for i, points in enumerate(relative) if i != index]
    if not others:
        raise ValueError('shuffled negatives need fixations of at least one other image')
    points = np.concatenate(others)
    height, width = shape
    return fixations_to_map(points[:, 0] * width - 0.5, points[:, 1] * height - 0.5, shape,
                            one_based=False, count=True)
