"""Robustness evaluation core, with no OpenMMLab import: ImageNet-C corruptions, Backgrounds
Challenge variants and corruption errors.

- :mod:`.corruptions`: :func:`corrupt` (the 15 ImageNet-C corruptions and the 4 extra ones
  x 5 severities from ``imagecorruptions``, with adapters for the ones the pinned numpy /
  scikit-image break).
- :mod:`.backgrounds`: :func:`background_donors`, :func:`background_variant` (foreground kept
  exactly, background blanked or taken from another image), :func:`grabcut_foreground` (the
  challenge's box-seeded segmentation).
- :mod:`.scores`: :func:`corruption_errors` (CE, mCE, relative mCE).

The OpenMMLab side (the ``ImageCorruption`` transform, the ``BackgroundVariantDataset``
wrapper, the tools' evaluation loop) lives in :mod:`attn_plugins.evaluation`.
"""
from .backgrounds import (MIXED_VARIANTS, VARIANTS, background_donors, background_variant,
                          fill_foreground, grabcut_foreground)
from .corruptions import (CORRUPTIONS, EXTRA_CORRUPTIONS, MIN_SIZE, SEVERITIES, corrupt,
                          corruption_function, numpy_seed)
from .scores import corruption_errors

__all__ = [
    'CORRUPTIONS', 'EXTRA_CORRUPTIONS', 'SEVERITIES', 'MIN_SIZE', 'corrupt', 'corruption_function',
    'numpy_seed', 'VARIANTS', 'MIXED_VARIANTS', 'background_donors', 'background_variant',
    'fill_foreground', 'grabcut_foreground', 'corruption_errors'
]
