"""Backgrounds-Challenge-style variants of images (Xiao, Engstrom, Ilyas, Madry, ICLR 2021).

The foreground (a binary mask, e.g. a thresholded saliency map) is kept pixel for pixel and
the background is replaced:

- ``original``: the image as it is.
- ``only_fg``: background black (the challenge's ``only_fg``).
- ``mixed_same``: background of another image of the same class.
- ``mixed_rand``: background of a random other image (any class).
- ``mixed_next``: background of an image of the next class (classes in sorted order, the
  last followed by the first), as the challenge's ``mixed_next``.

A donor's own foreground is first inpainted from its surrounding background (OpenCV's
Telea inpainting), so neither a second object nor its silhouette enters the picture (the
challenge tiles a strip of background over the donor's box instead). ``mixed_same`` minus
``mixed_rand`` accuracy is the challenge's BG-Gap: how much a model relies on backgrounds
that go with the class.

The foreground can be any binary mask; :func:`grabcut_foreground` is the challenge's own
segmentation (OpenCV's GrabCut, 5 iterations, seeded with the object's box). Numpy and
OpenCV, no OpenMMLab.
"""
from typing import Optional, Sequence, Tuple

import numpy as np

VARIANTS = ('original', 'only_fg', 'mixed_same', 'mixed_rand', 'mixed_next')
#: Variants whose background comes from another image.
MIXED_VARIANTS = ('mixed_same', 'mixed_rand', 'mixed_next')


def background_donors(labels: Sequence[int], variant: str, seed: int = 0) -> np.ndarray:
    """Which image lends its background to each image, drawn once and reproducibly.

    Args:
        labels (Sequence[int]): (N,) class label of each image.
        variant (str): One of :data:`VARIANTS`.
        seed (int): Seed of the draw.

    Returns:
        np.ndarray: (N,) int64 donor index of each image (never the image itself), or -1
        everywhere for ``original`` and ``only_fg``.

    Raises:
        ValueError: For an unknown variant, or when a class has no possible donor
            (``mixed_same`` with a class of one image, ``mixed_next`` with one class,
            ``mixed_rand`` with one image).
    """
    if variant not in VARIANTS:
        raise ValueError(f'unknown background variant {variant!r}; choose from '
                         f'{", ".join(VARIANTS)}')
    labels = np.asarray(labels, dtype=np.int64)
    donors = np.full(len(labels), -1, dtype=np.int64)
    if variant not in MIXED_VARIANTS:
        return donors
    rng = np.random.RandomState(seed)
    classes = np.unique(labels)
    members = {c: np.flatnonzero(labels == c) for c in classes}
    for i, label in enumerate(labels):
        if variant == 'mixed_same':
            pool = members[label][members[label] != i]
        elif variant == 'mixed_next':
            if len(classes) < 2:
                raise ValueError('mixed_next needs images of at least two classes')
            pool = members[classes[(np.searchsorted(classes, label) + 1) % len(classes)]]
        else:
            pool = np.delete(np.arange(len(labels)), i)
        if len(pool) == 0:
            raise ValueError(f'{variant}: no donor for image {i} (class {label}): '
                             'the class needs a second image' if variant == 'mixed_same'
                             else f'{variant} needs at least two images')
        donors[i] = pool[rng.randint(len(pool))]
    return donors


def grabcut_foreground(image: np.ndarray, box: Tuple[int, int, int, int],
                       iterations: int = 5, seed: int = 0) -> np.ndarray:
    """Segment the object inside ``box`` with GrabCut, as the Backgrounds Challenge does.

    Pixels outside the box are background; GrabCut decides inside it from colour models of
    the two. OpenCV's random generator is seeded first, so the mask is reproducible.

    Args:
        image (np.ndarray): (H, W, 3) uint8 image (BGR or RGB).
        box (tuple[int, int, int, int]): ``(x1, y1, x2, y2)``, ``x2``/``y2`` exclusive.
        iterations (int): GrabCut iterations. Defaults to 5 (the challenge's).
        seed (int): Seed of OpenCV's generator. Defaults to 0.

    Returns:
        np.ndarray: (H, W) bool foreground mask, inside the box (all False when GrabCut
        finds no foreground).
    """
    import cv2

    height, width = image.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'grabcut_foreground needs an (H, W, 3) uint8 image, got shape '
                         f'{image.shape} and dtype {image.dtype}')
    if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
        raise ValueError(f'box {box} must lie inside the {width}x{height} image with x1 < x2 '
                         'and y1 < y2')
    mask = np.zeros((height, width), np.uint8)
    models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(seed)
    cv2.grabCut(np.ascontiguousarray(image), mask, (x1, y1, x2 - x1, y2 - y1), *models,
                iterations, cv2.GC_INIT_WITH_RECT)
    return (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)


def _check_pair(image: np.ndarray, mask: np.ndarray, name: str) -> np.ndarray:
    mask = np.asarray(mask)
    if image.ndim != 3 or mask.shape != image.shape[:2]:
        raise ValueError(f'{name}: image (H, W, C) and mask (H, W) must match, got image '
                         f'{image.shape} and mask {mask.shape}')
    return mask.astype(bool)


def fill_foreground(image: np.ndarray, mask: np.ndarray, radius: int = 3) -> np.ndarray:
    """The image with its foreground inpainted from the background around it.

    Args:
        image (np.ndarray): (H, W, 3) uint8 image.
        mask (np.ndarray): (H, W) foreground mask (bool or 0/1).
        radius (int): Inpainting neighbourhood (OpenCV's Telea method), in pixels.

    Returns:
        np.ndarray: (H, W, 3) uint8 image: the background as it was, the foreground filled
        (black when everything is foreground).
    """
    import cv2

    mask = _check_pair(image, mask, 'fill_foreground')
    if image.dtype != np.uint8 or image.shape[2] != 3:
        raise ValueError(f'fill_foreground needs an (H, W, 3) uint8 image, got shape '
                         f'{image.shape} and dtype {image.dtype}')
    if mask.all():
        return np.zeros_like(image)
    filled = cv2.inpaint(np.ascontiguousarray(image), mask.astype(np.uint8), radius,
                         cv2.INPAINT_TELEA)
    # Inpainting only writes the masked pixels; keep the others bit for bit anyway.
    return np.where(mask[..., None], filled, image)


def background_variant(image: np.ndarray, mask: np.ndarray, variant: str,
                       donor: Optional[np.ndarray] = None,
                       donor_mask: Optional[np.ndarray] = None) -> np.ndarray:
    """One image's version under a background variant; foreground pixels are kept exactly.

    Args:
        image (np.ndarray): (H, W, C) image.
        mask (np.ndarray): (H, W) foreground mask of ``image``.
        variant (str): One of :data:`VARIANTS`.
        donor (np.ndarray, optional): (H, W, C) image lending its background; required by
            the mixed variants (resize it to the image first).
        donor_mask (np.ndarray, optional): (H, W) foreground mask of ``donor``; its
            foreground is inpainted (:func:`fill_foreground`) before use.

    Returns:
        np.ndarray: (H, W, C) image, same dtype: ``image`` where ``mask`` is set, the new
        background elsewhere.
    """
    if variant not in VARIANTS:
        raise ValueError(f'unknown background variant {variant!r}; choose from '
                         f'{", ".join(VARIANTS)}')
    mask = _check_pair(image, mask, 'background_variant')
    if variant == 'original':
        return image.copy()
    if variant == 'only_fg':
        background = np.zeros_like(image)
    else:
        if donor is None or donor_mask is None:
            raise ValueError(f'{variant} needs a donor image and its mask')
        if donor.shape != image.shape:
            raise ValueError(f'the donor must have the image\'s shape {image.shape}, got '
                             f'{donor.shape}: resize it first')
        background = fill_foreground(donor, donor_mask)
    return np.where(mask[..., None], image, background)
