"""Test-time transforms of the robustness evaluation (registered in mmpretrain's
``TRANSFORMS``): :class:`ImageCorruption`, one ImageNet-C corruption at one severity, and
:class:`GrabCutForeground`, the default foreground mask of the background variants. The pixel
work is the pure core in :mod:`attn_plugins.robustness`."""
import zlib

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from ..data.fields import SALIENCY
from ..robustness import CORRUPTIONS, EXTRA_CORRUPTIONS, SEVERITIES, corrupt, grabcut_foreground


@TRANSFORMS.register_module()
class ImageCorruption(BaseTransform):
    """Corrupt ``img`` with one ImageNet-C corruption at one severity.

    The image (mmcv's BGR) is corrupted as RGB by :func:`attn_plugins.robustness.corrupt`
    and turned back to BGR; shape and dtype (uint8) stay. Each sample's corruption is
    seeded by ``seed`` and its ``sample_idx``, so an evaluation is reproducible and does not
    depend on the order or the worker that loads the sample. ImageNet-C corrupts the final
    224x224 crop: put this transform after the resize / crop, right before the packing
    transform (:func:`insert_transform` with ``'before_pack'``).

    Required keys: ``img`` ((H, W, 3) uint8, H and W >= 32). Modified keys: ``img``.

    Args:
        corruption (str): One of :data:`attn_plugins.robustness.CORRUPTIONS` (the 15) or
            ``EXTRA_CORRUPTIONS`` (the 4 extra ImageNet-C ones).
        severity (int): 1 to 5.
        seed (int): Base seed. Defaults to 0.
    """

    def __init__(self, corruption: str, severity: int, seed: int = 0) -> None:
        if corruption not in CORRUPTIONS + EXTRA_CORRUPTIONS:
            raise ValueError(f'ImageCorruption: unknown corruption {corruption!r}; choose from '
                             f'{", ".join(CORRUPTIONS + EXTRA_CORRUPTIONS)}')
        if severity not in SEVERITIES:
            raise ValueError(f'ImageCorruption: severity must be 1 to 5, got {severity!r}')
        self.corruption = corruption
        self.severity = severity
        self.seed = seed

    def sample_seed(self, sample_idx: int) -> int:
        """The seed of one sample's corruption (a CRC of the settings and the index)."""
        key = f'{self.seed}/{self.corruption}/{self.severity}/{sample_idx}'
        return zlib.crc32(key.encode())

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f'ImageCorruption: {results.get("img_path", "a sample")} is not an '
                             f'(H, W, 3) uint8 image (shape {img.shape}, dtype {img.dtype})')
        rgb = np.ascontiguousarray(img[..., ::-1])
        out = corrupt(rgb, self.corruption, self.severity,
                      seed=self.sample_seed(results.get('sample_idx', 0)))
        results['img'] = np.ascontiguousarray(out[..., ::-1])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(corruption={self.corruption!r}, '
                f'severity={self.severity}, seed={self.seed})')


@TRANSFORMS.register_module()
class GrabCutForeground(BaseTransform):
    """Set ``saliency`` to the GrabCut foreground of an object-centred image.

    The Backgrounds Challenge segments each object with GrabCut seeded by its bounding box
    (:func:`attn_plugins.robustness.grabcut_foreground`). For object crops (e.g.
    ``CropObjectBox`` with a context ``margin``) the box is the image minus that context:
    ``margin / (1 + 2 * margin)`` of each side (0.115 for ``CropObjectBox(margin=0.15)``).
    The mask is seeded, so it is the same in every evaluation.

    Required keys: ``img``. Added keys: ``saliency`` ((H, W) float32, 1 = foreground).

    Args:
        margin (float): Share of the width (height) left out on each side, in [0, 0.5).
            Defaults to 0.1.
        iterations (int): GrabCut iterations. Defaults to 5.
    """

    def __init__(self, margin: float = 0.1, iterations: int = 5) -> None:
        if not 0 <= margin < 0.5:
            raise ValueError(f'GrabCutForeground: margin must be in [0, 0.5), got {margin}')
        self.margin = margin
        self.iterations = iterations

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        dx, dy = int(round(self.margin * width)), int(round(self.margin * height))
        box = (dx, dy, max(width - dx, dx + 1), max(height - dy, dy + 1))
        results[SALIENCY] = grabcut_foreground(img, box, self.iterations).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(margin={self.margin}, iterations={self.iterations})'
