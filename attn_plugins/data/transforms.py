"""Saliency-aware transforms: a saliency map travels with its image through every geometric
change, in the same call, so crops, flips and resizes can never misalign them.

Keys a sample may carry besides ``img`` (all optional):

- maps, ``(H, W)`` at the image's size, resized bilinearly: ``saliency`` (values in [0, 1];
  thresholded at ``mask_threshold`` where a binary mask is needed) and ``fixation_density``
  (sums to 1 where it was made). A map is float32 in [0, 1], or uint8 with 255 meaning 1.0
  (``LoadSaliencyMap(to_float32=False)``): every transform keeps a uint8 map uint8 (a
  quarter of the memory traffic; thresholds become the equivalent integer comparison, see
  :func:`attn_plugins.saliency.to_mask`) and :class:`PackSaliencyInputs` packs it as
  float32 in [0, 1], so models see one convention. Every geometric transform first holds
  each map to the one size contract of :func:`attn_plugins.saliency.match_map_to_image`
  (:func:`align_maps`): at the image's size it passes, at the image's aspect ratio it is
  resized to the image once, anything else raises ``ValueError`` naming the file and both
  sizes. The one exception is a map that ``SaliencyConstrainedRandomResizedCrop`` resized to
  a declared ``map_size`` for a consumer that reads a coarse grid: flips keep its size (a
  flip is exact at any size of the image's aspect ratio);
- points, float32 ``(N, 2)`` ``(x, y)`` pixel coordinates, 0-based, pixel centres on
  integers: ``fixation_points``.

Ground-truth copies for evaluation at the original resolution (``gt_fixation_density``,
``gt_fixation_points``) are deliberately *not* in these lists: no transform touches them.
Photometric transforms (mmpretrain's ``ColorJitter``, ``GaussianBlur``, ...) change only
``img``, so they leave every map as it is.
"""
import copy
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
import torch
from mmcv.image.geometric import pillow_interp_codes as PIL_INTERPOLATION
from mmcv.transforms import BaseTransform, Compose
from mmpretrain.datasets.transforms import PackInputs
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from ..saliency import (ESTIMATORS, SaliencyCropSampler, estimate_saliency,
                        fixation_density, fixations_to_map, match_map_to_image,
                        same_aspect_ratio, to_mask)
from .fields import FIXATION_DENSITY, FIXATION_MAP, SALIENCY, SALIENCY_EMPTY, SALIENCY_PATH

MAP_KEYS = (SALIENCY, FIXATION_DENSITY)
POINT_KEYS = ('fixation_points',)
# What the saliency crop records per view, gathered per view by SaliencyMultiView.
CROP_KEYS = (SALIENCY_EMPTY, 'crop_fallback', 'crop_box')


def _image_hw(results: dict) -> Tuple[int, int]:
    return results['img'].shape[:2]


def _set_shape(results: dict) -> None:
    results['img_shape'] = _image_hw(results)


def match_map_keeping_dtype(saliency: np.ndarray, image_hw: Tuple[int, int],
                            map_name: Optional[str] = None,
                            image_name: Optional[str] = None) -> np.ndarray:
    """:func:`attn_plugins.saliency.match_map_to_image` for a map of this module's contract.

    A uint8 map stays uint8 (a resized one is rounded back to 8 bits); any other map comes
    back float32.

    Args:
        saliency (np.ndarray): The map, (h, w), uint8 (255 = 1.0) or float.
        image_hw (tuple[int, int]): The image's (height, width).
        map_name (str, optional): The map's file (or another name), for the error message.
        image_name (str, optional): The image's file, for the error message.

    Returns:
        np.ndarray: The map at ``image_hw`` (the input itself when it already is).

    Raises:
        ValueError: If the map's aspect ratio differs from the image's.
    """
    saliency = np.asarray(saliency)
    if saliency.dtype != np.uint8:
        saliency = saliency.astype(np.float32, copy=False)
    aligned = match_map_to_image(saliency, image_hw, map_name=map_name, image_name=image_name)
    if aligned is saliency:
        return saliency
    if saliency.dtype == np.uint8:
        # The bilinear resize stays within the input's range: rounding is all 8 bits need.
        return np.rint(aligned).astype(np.uint8)
    return aligned.astype(np.float32, copy=False)


def align_maps(results: dict, path_key: str = SALIENCY_PATH,
               keep_size: bool = False) -> None:
    """Hold every map of ``results`` to the size contract with its image, in place.

    Each of :data:`MAP_KEYS` present goes through
    :func:`attn_plugins.saliency.match_map_to_image`: a map at the image's size is left as it
    is (the usual case costs a shape comparison), a map of the image's aspect ratio is resized
    to the image (once: afterwards it is at the image's size), any other raises. A uint8 map
    stays uint8 (:func:`match_map_keeping_dtype`).

    Args:
        results (dict): A sample with ``img`` (H, W[, C]) and maps (h, w).
        path_key (str): Where the ``saliency`` map's file path is, to name it in errors.
        keep_size (bool): Only check: a map of the image's aspect ratio keeps its size (for
            transforms that are exact at any such size, such as flips, so that a map resized
            to a declared ``map_size`` stays small). Defaults to False.

    Raises:
        ValueError: A map's aspect ratio differs from its image's; the message names the map
            file (when known), the image file and both sizes.
    """
    image_hw = tuple(_image_hw(results))
    for key in MAP_KEYS:
        if key not in results:
            continue
        shape = np.shape(results[key])
        if shape == image_hw or (keep_size and len(shape) == 2
                                 and same_aspect_ratio(shape, image_hw)):
            continue
        path = results.get(path_key) if key == SALIENCY else None
        name = f'{key!r}' + (f' ({path})' if path else '')
        results[key] = match_map_keeping_dtype(results[key], image_hw, map_name=name,
                                               image_name=results.get('img_path'))


def crop_sample(results: dict, top: int, left: int, height: int, width: int) -> None:
    """Crop the image and every map and point set of ``results`` to one box, in place.

    Points that fall outside the box are dropped. Maps are first held to the size contract
    (:func:`align_maps`), so a map that does not fit its image raises instead of being cropped
    out of alignment.
    """
    align_maps(results)
    rows, cols = slice(top, top + height), slice(left, left + width)
    results['img'] = results['img'][rows, cols]
    for key in MAP_KEYS:
        if key in results:
            results[key] = results[key][rows, cols]
    for key in POINT_KEYS:
        if key in results:
            shifted = results[key] - np.array([left, top], dtype=np.float32)
            pixel = np.floor(shifted + 0.5)
            inside = ((pixel[:, 0] >= 0) & (pixel[:, 0] < width) & (pixel[:, 1] >= 0)
                      & (pixel[:, 1] < height))
            results[key] = shifted[inside]
    _set_shape(results)


def imresize_map(saliency: np.ndarray, width: int, height: int,
                 interpolation: str = 'bilinear', backend: str = 'cv2') -> np.ndarray:
    """Resize one map as :func:`mmcv.imresize` resizes an image, keeping uint8 maps uint8.

    A uint8 map is resized in 8 bits (rounded, as images are); any other map as float32,
    clipped at 0 after the interpolations that can overshoot (bicubic, lanczos) so it stays
    non-negative.

    Args:
        saliency (np.ndarray): The map, (h, w), uint8 (255 = 1.0) or float.
        width (int): New width.
        height (int): New height.
        interpolation (str): Interpolation, as for :func:`mmcv.imresize`.
        backend (str): ``'cv2'`` or ``'pillow'``.

    Returns:
        np.ndarray: The (height, width) map, uint8 for a uint8 map, else float32.
    """
    if saliency.dtype == np.uint8:
        return mmcv.imresize(saliency, (width, height), interpolation=interpolation,
                             backend=backend)
    old = np.asarray(saliency, dtype=np.float32)
    if backend == 'pillow':  # mmcv's pillow path takes uint8 only; PIL's 'F' mode
        new = np.array(Image.fromarray(old, mode='F').resize(
            (width, height), PIL_INTERPOLATION[interpolation]))
    else:
        new = mmcv.imresize(old, (width, height), interpolation=interpolation)
    if interpolation in ('bicubic', 'lanczos'):
        new = np.maximum(new, 0)
    return new


def resize_sample(results: dict, width: int, height: int, interpolation: str = 'bilinear',
                  backend: str = 'cv2', map_size: Optional[Tuple[int, int]] = None) -> None:
    """Resize the image to ``(width, height)`` and every map and point set with it, in place.

    Maps go through the very same resize as the image (interpolation and backend,
    :func:`imresize_map`), so a map that encodes the image's pixels still encodes them
    afterwards. Points are scaled about pixel centres, ``x' = (x + 0.5) * sx - 0.5``. Maps
    are first held to the size contract (:func:`align_maps`).

    Args:
        results (dict): The sample.
        width (int): New image width.
        height (int): New image height.
        interpolation (str): Interpolation, as for :func:`mmcv.imresize`.
        backend (str): ``'cv2'`` or ``'pillow'``.
        map_size (tuple[int, int], optional): ``(width, height)`` of the maps, of the new
            image's aspect ratio, for a consumer that needs no more (see
            ``SaliencyConstrainedRandomResizedCrop``); None (default): the image's new size.
    """
    align_maps(results)
    old_h, old_w = _image_hw(results)
    results['img'] = mmcv.imresize(results['img'], (width, height),
                                   interpolation=interpolation, backend=backend)
    map_width, map_height = map_size or (width, height)
    for key in MAP_KEYS:
        if key in results:
            results[key] = imresize_map(results[key], map_width, map_height, interpolation,
                                        backend)
    scale = np.array([width / old_w, height / old_h], dtype=np.float32)
    for key in POINT_KEYS:
        if key in results:
            results[key] = (results[key] + 0.5) * scale - 0.5
    _set_shape(results)


def flip_sample(results: dict, direction: str = 'horizontal') -> None:
    """Flip the image and every map and point set of ``results``, in place.

    Maps are first held to the size contract (:func:`align_maps`), except that a map of the
    image's aspect ratio keeps its size (``keep_size``): a flip is exact at any such size, so
    a map resized to a crop's declared ``map_size`` stays at it.
    """
    align_maps(results, keep_size=True)
    height, width = _image_hw(results)
    results['img'] = mmcv.imflip(results['img'], direction=direction)
    for key in MAP_KEYS:
        if key in results:
            results[key] = np.ascontiguousarray(mmcv.imflip(results[key], direction=direction))
    for key in POINT_KEYS:
        if key in results:
            points = results[key].copy()
            if direction in ('horizontal', 'diagonal'):
                points[:, 0] = width - 1 - points[:, 0]
            if direction in ('vertical', 'diagonal'):
                points[:, 1] = height - 1 - points[:, 1]
            results[key] = points


def read_saliency_map(path: str, to_float32: bool = True) -> np.ndarray:
    """Read a saliency map file as ``(H, W)`` with values in [0, 1] (uint8: 255 = 1.0).

    8-bit images (PNG, JPEG, ...) are divided by 255, or kept as they are with
    ``to_float32=False``; ``.npy`` arrays are taken as float32, divided by their maximum if
    it exceeds 1.

    Args:
        path (str): The map file.
        to_float32 (bool): Return 8-bit images as float32 in [0, 1]; False keeps them uint8.
            Defaults to True.

    Returns:
        np.ndarray: The map, float32, or uint8 for an 8-bit image with ``to_float32=False``.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file cannot be read, or is not a non-negative 2-D map.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map not found: {path}')
    if path.lower().endswith('.npy'):
        try:
            saliency = np.load(path, allow_pickle=False).astype(np.float32)
        except (ValueError, OSError) as err:
            raise ValueError(f'cannot read saliency map {path}: {err}') from err
    else:
        saliency = mmcv.imread(path, flag='grayscale')
        if saliency is None:
            raise ValueError(f'cannot read saliency map {path}: not a readable image')
        if not to_float32:
            return saliency
        saliency = saliency.astype(np.float32) / 255.0
    if saliency.ndim == 3 and saliency.shape[-1] == 1:
        saliency = saliency[..., 0]
    if saliency.ndim != 2:
        raise ValueError(f'saliency map {path} must be 2-D (H, W), got shape {saliency.shape}')
    if not np.isfinite(saliency).all() or saliency.min() < 0:
        raise ValueError(f'saliency map {path} holds negative or non-finite values')
    if saliency.max() > 1:
        saliency = saliency / saliency.max()
    return saliency


@TRANSFORMS.register_module()
class LoadSaliencyMap(BaseTransform):
    """Load the map at ``results[path_key]`` into ``results[key]``, aligned with ``img``.

    Place it after ``LoadImageFromFile``. The map meets its image under the package's one
    size contract (:func:`attn_plugins.saliency.match_map_to_image`): a map at the image's
    size is kept, a map of the image's aspect ratio (within one pixel per side, e.g. stored
    at half resolution) is resized to the image here, once, and any other map raises
    ``ValueError`` naming the map file, the image file and both sizes.

    Args:
        key (str): Where the map goes: ``'saliency'`` or ``'fixation_density'``.
        path_key (str): Where the dataset put the file path.
        to_float32 (bool): Load 8-bit map files (PNG, JPEG) as float32 in [0, 1]. False
            keeps them uint8 (255 = 1.0) through the saliency transforms, which then
            threshold on integers and resize a quarter of the bytes, and
            ``PackSaliencyInputs`` packs them as float32 in [0, 1]: the model sees the same
            maps up to the 8-bit rounding of their resize. ``.npy`` maps are float32 either
            way. Defaults to True.
    """

    def __init__(self, key: str = SALIENCY, path_key: str = SALIENCY_PATH,
                 to_float32: bool = True) -> None:
        if key not in MAP_KEYS:
            raise ValueError(f'key must be one of {MAP_KEYS}, got {key!r}')
        self.key = key
        self.path_key = path_key
        self.to_float32 = to_float32

    def transform(self, results: dict) -> dict:
        if self.path_key not in results:
            raise KeyError(f'{results.get("img_path", "sample")} has no {self.path_key!r}: use '
                           'a dataset that pairs images with saliency maps '
                           '(SaliencyImageFolder) or EstimateSaliency instead')
        path = results[self.path_key]
        results[self.key] = match_map_keeping_dtype(
            read_saliency_map(path, self.to_float32), _image_hw(results), map_name=path,
            image_name=results.get('img_path'))
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, path_key={self.path_key!r}, '
                f'to_float32={self.to_float32})')


@TRANSFORMS.register_module()
class EstimateSaliency(BaseTransform):
    """Estimate ``saliency`` from the image itself, with no labels.

    ``method`` is one of :data:`attn_plugins.saliency.ESTIMATORS` (no training at all; see
    :func:`attn_plugins.saliency.estimate_saliency`) or ``'teacher'``: a saliency teacher
    trained on human fixations, by default the lean one shipped with the package. The
    teacher is built once per process, on first use (so each dataloader worker has its
    own). Samples that already carry a map keep it unless ``overwrite``.

    Args:
        method (str): ``'teacher'`` or an estimator name. Defaults to
            ``'signature_center'``, the estimator closest to human fixations without
            training (its held-out scores are in docs/saliency.md).
        teacher (str | Sequence[str]): with ``method='teacher'``: ``'default'`` or
            ``(config, checkpoint)`` of a trained ``SaliencyTeacher``.
        overwrite (bool): Replace an existing map. Defaults to False.
        **estimator_kwargs: Passed to :func:`attn_plugins.saliency.estimate_saliency`.
    """

    def __init__(self, method: str = 'signature_center',
                 teacher: Union[str, Sequence[str]] = 'default', overwrite: bool = False,
                 **estimator_kwargs) -> None:
        if method != 'teacher' and method not in ESTIMATORS:
            raise ValueError(f"unknown saliency method {method!r}; choose 'teacher' or one "
                             f'of {ESTIMATORS}')
        if method == 'teacher':
            if estimator_kwargs:
                raise ValueError(f'{sorted(estimator_kwargs)} apply to the estimators, not '
                                 "to method='teacher'")
            teacher = ('default', None) if teacher == 'default' else tuple(teacher)
            if len(teacher) != 2:
                raise ValueError("teacher must be 'default' or (config, checkpoint), got "
                                 f'{teacher!r}')
        self.method = method
        self.teacher = teacher
        self.overwrite = overwrite
        self.estimator_kwargs = estimator_kwargs
        self._model = None  # the teacher network, built on first use

    def transform(self, results: dict) -> dict:
        if self.overwrite or SALIENCY not in results:
            if self.method == 'teacher':
                results[SALIENCY] = self._teacher_saliency(results['img'])
            else:
                rgb = results['img'][..., ::-1]  # mmcv loads BGR
                results[SALIENCY] = estimate_saliency(
                    rgb, self.method, **self.estimator_kwargs).astype(np.float32)
        return results

    def _teacher_saliency(self, image: np.ndarray) -> np.ndarray:
        from ..teacher.build import build_teacher, teacher_input_size, teacher_saliency

        if self._model is None:
            model, cfg = build_teacher(*self.teacher)
            self._model = (model, teacher_input_size(cfg))
        model, size = self._model
        return teacher_saliency(model, image, size)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state['_model'] = None  # workers build their own
        return state

    def __repr__(self) -> str:
        return f'{type(self).__name__}(method={self.method!r}, overwrite={self.overwrite})'


@TRANSFORMS.register_module()
class FixationsToDensity(BaseTransform):
    """Blur ``fixation_points`` into ``fixation_density`` at the current image size.

    Give the blur in pixels (``sigma_px``), in degrees of visual angle (``sigma_deg`` with
    ``pixels_per_degree``; about one degree, 24 px at 800x600, for OSIE) or as a fraction of
    the image width (``sigma_frac``, for datasets of mixed image sizes and unknown viewing
    distance; 0.03 equals OSIE's one degree). Place it before any resize so the blur is in
    the dataset's own pixels; later geometric transforms carry the density along.

    Args:
        sigma_px (float, optional): Gaussian sigma in pixels.
        sigma_deg (float, optional): Gaussian sigma in degrees of visual angle.
        pixels_per_degree (float, optional): Needed with ``sigma_deg``.
        sigma_frac (float, optional): Gaussian sigma as a fraction of the image width.
        keep_ground_truth (bool): Also store ``gt_fixation_density`` and
            ``gt_fixation_points``, frozen at this resolution, for evaluation against the
            original image (``SaliencyMetric``). Defaults to False.
    """

    def __init__(self, sigma_px: Optional[float] = None, sigma_deg: Optional[float] = None,
                 pixels_per_degree: Optional[float] = None,
                 sigma_frac: Optional[float] = None,
                 keep_ground_truth: bool = False) -> None:
        if sigma_frac is not None:
            if sigma_px is not None or sigma_deg is not None:
                raise ValueError('give the blur one way: sigma_frac, sigma_px or sigma_deg')
            if not sigma_frac > 0:
                raise ValueError(f'sigma_frac must be a positive fraction of the image width, '
                                 f'got {sigma_frac}')
            sigma_px = 1.0  # checked below; the real value depends on each image's width
        self.sigma_frac = sigma_frac
        self.blur = dict(sigma_px=sigma_px, sigma_deg=sigma_deg,
                         pixels_per_degree=pixels_per_degree)
        self.keep_ground_truth = keep_ground_truth
        fixation_density(np.ones((1, 1)), **self.blur)  # validates the blur arguments now

    def transform(self, results: dict) -> dict:
        points = results['fixation_points']
        fixation_map = fixations_to_map(points[:, 0], points[:, 1], _image_hw(results),
                                        one_based=False)
        if not fixation_map.any():
            raise ValueError(f'{results.get("img_path", "sample")} has no fixation inside '
                             'the image')
        blur = self.blur if self.sigma_frac is None else dict(
            sigma_px=self.sigma_frac * fixation_map.shape[1])
        density = fixation_density(fixation_map, **blur).astype(np.float32)
        results[FIXATION_DENSITY] = density
        if self.keep_ground_truth:
            results['gt_fixation_density'] = density.copy()
            results['gt_fixation_points'] = points.copy()
        return results


def _require_saliency(results: dict, transform: str) -> np.ndarray:
    if SALIENCY not in results:
        sample = results.get('img_path', 'the sample')
        raise KeyError(f'{transform} needs a saliency map but {sample} has none: put '
                       'LoadSaliencyMap or EstimateSaliency before it')
    return results[SALIENCY]


def _to_size(scale: Union[int, Sequence[int]]) -> Tuple[int, int]:
    """``scale`` as (width, height), mmcv's order."""
    if isinstance(scale, int):
        return scale, scale
    width, height = scale
    return int(width), int(height)


@TRANSFORMS.register_module()
class SaliencyConstrainedRandomResizedCrop(BaseTransform):
    """CAST's crop: a RandomResizedCrop that keeps a share of the salient pixels.

    The binary mask (``saliency > mask_threshold``) picks the box through
    :class:`attn_plugins.saliency.SaliencyCropSampler`; image and maps are cropped and resized
    together. Sets ``saliency_empty`` (the mask was empty: a plain random crop was taken and
    CAST leaves the sample out of its attention loss), ``crop_fallback`` and ``crop_box``
    (``(top, left, height, width)`` in the input's pixels).

    Cost: with uint8 maps (``LoadSaliencyMap(to_float32=False)``) the mask is an integer
    comparison (``saliency > floor(mask_threshold * 255)``, the same pixels as the float
    comparison on ``saliency / 255``) and the map is resized in 8 bits; what remains above a
    plain ``RandomResizedCrop`` is mostly the map's resize, which ``map_size`` shrinks for
    consumers that read only a coarse grid (``tools/benchmarks/bench_saliency_crop.py``).

    Args:
        scale (int | tuple[int, int]): Output size, ``(width, height)`` or one side.
        crop_ratio_range (tuple[float, float]): Box area range as a fraction of the image.
        aspect_ratio_range (tuple[float, float]): Box aspect ratio range (w / h).
        min_salient_fraction (float): Accept a box holding at least this share of the
            salient pixels.
        max_attempts (int): Proposals before the fallback box.
        mask_threshold (float): Saliency above this is salient.
        interpolation (str): Image interpolation. Defaults to ``'bilinear'``.
        backend (str): ``'cv2'`` or ``'pillow'`` for the image resize.
        map_size (int | tuple[int, int], optional): ``(width, height)`` (or one side) the
            maps are resized to, of the output's aspect ratio: the resolution their
            consumer reads, when it is coarser than the image. None (default): the output
            size, which CAST needs (its masked key is the image times the key's mask). A
            consumer that pools the map onto a grid, such as the teacher attention loss,
            can declare a few times its grid (e.g. 56 for a 7x7 grid): bilinear resizing
            samples rather than averages when it shrinks by more than about 2x. The box is
            drawn on the full-resolution mask either way. Flips keep a map at this size;
            a later crop or resize first resizes it back to the image.
    """

    def __init__(self,
                 scale: Union[int, Sequence[int]],
                 crop_ratio_range: Tuple[float, float] = (0.2, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3. / 4., 4. / 3.),
                 min_salient_fraction: float = 0.2,
                 max_attempts: int = 10,
                 mask_threshold: float = 0.5,
                 interpolation: str = 'bilinear',
                 backend: str = 'cv2',
                 map_size: Optional[Union[int, Sequence[int]]] = None) -> None:
        self.size = _to_size(scale)
        self.map_size = None if map_size is None else _to_size(map_size)
        if self.map_size is not None and not same_aspect_ratio(self.map_size[::-1],
                                                               self.size[::-1]):
            raise ValueError(f'map_size {self.map_size} must have the aspect ratio of the '
                             f'output size {self.size} (both width, height)')
        self.sampler = SaliencyCropSampler(
            scale=crop_ratio_range, ratio=aspect_ratio_range,
            min_salient_fraction=min_salient_fraction, max_tries=max_attempts)
        self.mask_threshold = mask_threshold
        self.interpolation = interpolation
        self.backend = backend

    def transform(self, results: dict) -> dict:
        _require_saliency(results, type(self).__name__)
        align_maps(results)  # the box is drawn on the map: it must be aligned first
        box = self.sampler.sample(to_mask(results[SALIENCY], self.mask_threshold))
        crop_sample(results, box.top, box.left, box.height, box.width)
        resize_sample(results, *self.size, self.interpolation, self.backend, self.map_size)
        results[SALIENCY_EMPTY] = box.empty_mask
        results['crop_fallback'] = box.fallback
        results['crop_box'] = (box.top, box.left, box.height, box.width)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, sampler={self.sampler}, '
                f'mask_threshold={self.mask_threshold}, map_size={self.map_size})')


@TRANSFORMS.register_module()
class SaliencyResize(BaseTransform):
    """Resize the image and its maps.

    Args:
        scale (int | tuple[int, int]): ``(width, height)``, or one side for a square; with
            ``edge`` an int, the length of that edge.
        keep_ratio (bool): Fit inside ``scale`` keeping the aspect ratio instead.
        edge (str, optional): ``'short'`` or ``'long'``: scale that edge to ``scale`` (an
            int) and keep the aspect ratio, as mmpretrain's ``ResizeEdge``.
        interpolation (str): Image interpolation.
        backend (str): ``'cv2'`` or ``'pillow'``.
    """

    def __init__(self, scale: Union[int, Sequence[int]], keep_ratio: bool = False,
                 edge: Optional[str] = None, interpolation: str = 'bilinear',
                 backend: str = 'cv2') -> None:
        if edge not in (None, 'short', 'long'):
            raise ValueError(f"edge must be None, 'short' or 'long', got {edge!r}")
        if edge is not None and not isinstance(scale, int):
            raise ValueError(f'with edge={edge!r}, scale must be one int, got {scale}')
        self.size = _to_size(scale)
        self.keep_ratio = keep_ratio
        self.edge = edge
        self.interpolation = interpolation
        self.backend = backend

    def transform(self, results: dict) -> dict:
        height, width = _image_hw(results)
        size = self.size
        if self.edge is not None:
            edge = min(height, width) if self.edge == 'short' else max(height, width)
            factor = self.size[0] / edge
            size = (max(1, round(width * factor)), max(1, round(height * factor)))
        elif self.keep_ratio:
            size = mmcv.rescale_size((width, height), self.size)
        resize_sample(results, *size, self.interpolation, self.backend)
        return results


@TRANSFORMS.register_module()
class SaliencyCenterCrop(BaseTransform):
    """Crop the central ``crop_size`` region of the image and its maps.

    Args:
        crop_size (int | tuple[int, int]): ``(width, height)`` or one side.
    """

    def __init__(self, crop_size: Union[int, Sequence[int]]) -> None:
        self.size = _to_size(crop_size)

    def transform(self, results: dict) -> dict:
        height, width = _image_hw(results)
        crop_w, crop_h = min(self.size[0], width), min(self.size[1], height)
        crop_sample(results, (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w)
        return results


@TRANSFORMS.register_module()
class SaliencyRandomFlip(BaseTransform):
    """Flip the image and its maps with probability ``prob``.

    Args:
        prob (float): Flip probability.
        direction (str): ``'horizontal'``, ``'vertical'`` or ``'diagonal'``.
    """

    def __init__(self, prob: float = 0.5, direction: str = 'horizontal') -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob
        self.direction = direction

    def transform(self, results: dict) -> dict:
        flip = bool(np.random.rand() < self.prob)
        if flip:
            flip_sample(results, self.direction)
        results['flip'] = flip
        results['flip_direction'] = self.direction if flip else None
        return results


@TRANSFORMS.register_module()
class SaliencyMultiView(BaseTransform):
    """Several augmented views of one sample, each keeping its own saliency.

    mmpretrain's ``MultiView`` keeps only ``img`` of each view. This wrapper runs each view's
    pipeline on a copy of the sample and gathers ``img`` and every map, point set and crop
    record (``saliency_empty``, ``crop_fallback``, ``crop_box``) as per-view lists, in view
    order.

    Args:
        transforms (list[list[dict]]): One pipeline per group of views.
        num_views (int | list[int]): Views per pipeline (an int repeats ``transforms[0]``).
        extra_keys (Sequence[str]): Further keys the view pipelines set, gathered per view
            too (e.g. ``'teacher_img'`` of ``KeepTeacherView``, for ``OnlineTeacherHook``).
    """

    def __init__(self, transforms: List[List[Union[dict, BaseTransform]]],
                 num_views: Union[int, List[int]], extra_keys: Sequence[str] = ()) -> None:
        if isinstance(num_views, int):
            num_views = [num_views]
        if len(num_views) != len(transforms):
            raise ValueError(f'num_views {num_views} must give one count per pipeline '
                             f'({len(transforms)} pipelines)')
        self.pipelines = []
        for count, pipeline in zip(num_views, transforms):
            # Built from mmpretrain's registry (which falls back to mmcv's), so the wrapper
            # works without a default scope too.
            steps = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]
            self.pipelines.extend([Compose(steps)] * count)
        self.extra_keys = tuple(extra_keys)

    def transform(self, results: dict) -> dict:
        views = [pipeline(copy.deepcopy(results)) for pipeline in self.pipelines]
        multi = dict(results)
        for key in ('img', *MAP_KEYS, *POINT_KEYS, *CROP_KEYS, *self.extra_keys):
            if key in views[0]:
                multi[key] = [view[key] for view in views]
        multi['img_shape'] = [view['img_shape'] for view in views]
        return multi


def _tensor(value, dtype=torch.float32):
    if isinstance(value, list):
        return torch.stack([_tensor(v, dtype) for v in value])
    return torch.as_tensor(np.asarray(value), dtype=dtype)


def _map_tensor(value) -> torch.Tensor:
    """A map, or a list of per-view maps, as float32 in the package's [0, 1] convention.

    Args:
        value (np.ndarray | list[np.ndarray]): (H, W) map(s), uint8 (255 = 1.0) or float.

    Returns:
        torch.Tensor: ``([V,] H, W)`` float32; uint8 maps divided by 255, the very float32
        values that loading them as float (``LoadSaliencyMap()``) gives.
    """
    if isinstance(value, list):
        return torch.stack([_map_tensor(v) for v in value])
    array = np.asarray(value)
    if array.dtype == np.uint8:
        return torch.from_numpy(np.ascontiguousarray(array)).float().div_(255)
    return torch.as_tensor(array, dtype=torch.float32)


def _rasterise(points, shape) -> np.ndarray:
    return fixations_to_map(points[:, 0], points[:, 1], shape, one_based=False)


@TRANSFORMS.register_module()
class PackSaliencyInputs(PackInputs):
    """``PackInputs`` that also packs the saliency fields into the data sample.

    Per sample, each field present becomes a tensor on the ``DataSample`` (a leading view
    axis ``V`` for multi-view samples): ``saliency`` and ``fixation_density`` (float32,
    ``([V,] H, W)``; uint8 maps are divided by 255), ``fixation_map`` rasterised from
    ``fixation_points`` at the image size, ``saliency_empty`` (bool, ``([V])``), and the
    evaluation copies ``gt_fixation_density`` / ``gt_fixation_map`` at the original size.
    Models batch them with :func:`attn_plugins.data.stack_field`. Other arguments as
    ``PackInputs``.
    """

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        sample = packed['data_samples']
        for key in (*MAP_KEYS, 'gt_fixation_density'):
            if key in results:
                sample.set_field(_map_tensor(results[key]), key)
        if SALIENCY_EMPTY in results:
            sample.set_field(_tensor(results[SALIENCY_EMPTY], torch.bool), SALIENCY_EMPTY)
        if 'fixation_points' in results:
            points, shapes = results['fixation_points'], results['img_shape']
            fixation_map = ([_rasterise(p, s) for p, s in zip(points, shapes)]
                            if isinstance(points, list) else _rasterise(points, shapes))
            sample.set_field(_tensor(fixation_map), FIXATION_MAP)
        if 'gt_fixation_points' in results:
            shape = results['gt_fixation_density'].shape if 'gt_fixation_density' in results \
                else results['ori_shape']
            sample.set_field(_tensor(_rasterise(results['gt_fixation_points'], shape)),
                             'gt_fixation_map')
        return packed


def stack_field(data_samples: Sequence, key: str,
                device: Optional[Union[str, torch.device]] = None) -> torch.Tensor:
    """Batch one packed field of every data sample: ``(B, [V,] H, W)``.

    Args:
        data_samples (Sequence[DataSample]): The batch's samples.
        key (str): Field name, e.g. ``'saliency'``.
        device (str | torch.device, optional): Move the batch there.

    Returns:
        torch.Tensor: The stacked field.

    Raises:
        KeyError: If a sample lacks the field (name the transform that makes it).
    """
    missing = [i for i, sample in enumerate(data_samples) if key not in sample]
    if missing:
        raise KeyError(f'data samples {missing} have no {key!r}: pack it with '
                       'PackSaliencyInputs after a transform that makes it')
    batch = torch.stack([sample.get(key) for sample in data_samples])
    return batch.to(device) if device is not None else batch

