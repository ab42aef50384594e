"""Framework-free saliency machinery shared by every method (numpy, torch and scipy only).

- :mod:`.maps`: normalisation (:func:`to_distribution`, :func:`to_mask`, :func:`minmax_scale`),
  fixation maps and densities, :func:`resize_map`, the :func:`center_bias` baseline, and
  :func:`match_map_to_image`, the one size contract between a map and its image.
- :mod:`.metrics`: the MIT/Tuebingen benchmark metrics :func:`nss`, :func:`kld`, :func:`cc`,
  :func:`sim`, :func:`auc_judd`, :func:`shuffled_auc` and :func:`information_gain`.
- :mod:`.losses`: differentiable batched KLD, NSS and CC losses that match the metrics.
- :mod:`.estimators`: :func:`estimate_saliency` (image signature with a centre prior by
  default), :func:`image_signature_saliency`, :func:`spectral_residual_saliency`: saliency
  with no teacher and no labels.
- :mod:`.crops`: CAST's saliency-constrained crop boxes (:class:`SaliencyCropSampler`) and a
  drop-in transform for plain PyTorch pipelines (:class:`SaliencyConstrainedCrop`).
"""
from .crops import (CropAttempt, CropBox, SaliencyConstrainedCrop, SaliencyCropSampler,
                    as_bool_mask)
from .estimators import (ESTIMATORS, estimate_saliency, image_signature_saliency,
                         spectral_residual_saliency)
from .losses import CCLoss, KLDLoss, NSSLoss, cc_loss, kld_loss, nss_loss
from .maps import (OSIE_PIXELS_PER_DEGREE, center_bias, fixation_density, fixations_to_map,
                   match_map_to_image, minmax_scale, relative_fixations, resize_map,
                   same_aspect_ratio, shuffled_negatives, to_distribution, to_mask)
from .metrics import (KLD_EPS, auc_judd, cc, information_gain, kld, nss, shuffled_auc,
                      sim)

__all__ = [
    'to_distribution', 'to_mask', 'minmax_scale', 'resize_map', 'match_map_to_image',
    'same_aspect_ratio', 'fixations_to_map', 'fixation_density',
    'center_bias', 'OSIE_PIXELS_PER_DEGREE', 'nss', 'kld', 'cc', 'sim', 'auc_judd', 'KLD_EPS',
    'shuffled_auc', 'information_gain', 'relative_fixations', 'shuffled_negatives',
    'kld_loss', 'nss_loss', 'cc_loss', 'KLDLoss', 'NSSLoss', 'CCLoss',
    'spectral_residual_saliency', 'image_signature_saliency', 'estimate_saliency',
    'ESTIMATORS', 'CropAttempt', 'CropBox', 'as_bool_mask',
    'SaliencyCropSampler', 'SaliencyConstrainedCrop'
]
