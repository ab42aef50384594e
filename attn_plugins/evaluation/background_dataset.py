"""``BackgroundVariantDataset`` (mmpretrain ``DATASETS``): a classification dataset whose
images have their background replaced (Backgrounds Challenge variants)."""
from typing import Optional, Union

import mmcv
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS, TRANSFORMS

from ..data.fields import SALIENCY
from ..robustness import MIXED_VARIANTS, VARIANTS, background_donors, background_variant
from ..saliency import to_mask


@DATASETS.register_module()
class BackgroundVariantDataset(torch.utils.data.Dataset):
    """A single-label classification dataset with its images' backgrounds replaced.

    Runs the wrapped dataset's pipeline up to its last (packing) transform, takes the
    foreground mask from ``saliency`` (``mask_transform`` puts it there: GrabCut by default,
    or ``EstimateSaliency`` for a saliency estimate; or the pipeline already carries it:
    ``LoadSaliencyMap`` and the ``Saliency*`` geometric transforms), builds the variant with
    :func:`attn_plugins.robustness.background_variant` (foreground pixels kept exactly; a
    donor image is resized to the image) and packs. As the Backgrounds Challenge drops images
    whose segmentation failed, ``min_foreground`` keeps only images whose mask covers that
    share of the image. Donors are drawn once, among the kept images, with ``seed``.

    Args:
        dataset (dict | BaseDataset): The dataset (config), whose pipeline ends with a
            ``Pack*`` transform.
        variant (str): One of :data:`attn_plugins.robustness.VARIANTS`.
        mask_transform (dict, optional): Transform that sets ``saliency`` on the final image;
            defaults to ``dict(type='GrabCutForeground')``. None when the pipeline already
            carries ``saliency``.
        threshold (float): Foreground = saliency above this fraction of its range
            (:func:`attn_plugins.saliency.to_mask`). Defaults to 0.5.
        min_foreground (float): Keep images whose foreground covers at least this share of
            the image (one extra pass over the set to find them). Defaults to 0: keep all.
        seed (int): Seed of the donor draw. Defaults to 0.
    """

    def __init__(self, dataset: Union[dict, BaseDataset], variant: str,
                 mask_transform: Optional[dict] = dict(type='GrabCutForeground'),
                 threshold: float = 0.5, min_foreground: float = 0.0, seed: int = 0) -> None:
        if variant not in VARIANTS:
            raise ValueError(f'BackgroundVariantDataset: unknown variant {variant!r}; choose '
                             f'from {", ".join(VARIANTS)}')
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        transforms = list(self.dataset.pipeline.transforms)
        if not transforms or not type(transforms[-1]).__name__.startswith('Pack'):
            raise ValueError(f'BackgroundVariantDataset: the wrapped pipeline must end with its '
                             f'packing transform (PackInputs, ...), got '
                             f'{[type(t).__name__ for t in transforms]}')
        extra = [TRANSFORMS.build(mask_transform)] if mask_transform is not None else []
        self.prepare = Compose(transforms[:-1] + extra)
        self.pack = transforms[-1]
        self.variant = variant
        self.threshold = threshold
        self._shares: Optional[np.ndarray] = None
        self.indices = np.arange(len(self.dataset))
        if min_foreground > 0:
            self.indices = np.flatnonzero(self.foreground_shares() >= min_foreground)
            if len(self.indices) == 0:
                raise ValueError(f'BackgroundVariantDataset: no image has a foreground covering '
                                 f'{min_foreground:.0%} of it; lower min_foreground or check '
                                 'the masks')
        labels = []
        for index in self.indices:
            cat_ids = self.dataset.get_cat_ids(int(index))
            if len(cat_ids) != 1:
                raise ValueError(f'BackgroundVariantDataset needs one label per image; sample '
                                 f'{index} has {list(cat_ids)}')
            labels.append(int(cat_ids[0]))
        self.labels = np.array(labels, dtype=np.int64)
        self.donors = background_donors(self.labels, variant, seed)

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def __len__(self) -> int:
        return len(self.indices)

    def _prepared(self, dataset_index: int) -> dict:
        results = self.prepare(self.dataset.get_data_info(dataset_index))
        if results is None:
            raise ValueError(f'BackgroundVariantDataset: the pipeline dropped sample '
                             f'{dataset_index}')
        if SALIENCY not in results:
            raise KeyError(f'{results.get("img_path", dataset_index)} has no saliency after the '
                           'pipeline: set mask_transform (GrabCutForeground, EstimateSaliency) '
                           'or load maps with LoadSaliencyMap')
        results['foreground'] = to_mask(np.asarray(results[SALIENCY]), self.threshold)
        return results

    def foreground_shares(self) -> np.ndarray:
        """(N,) share of each image of the wrapped dataset (kept or not) that is foreground."""
        if self._shares is None:
            self._shares = np.array([self._prepared(i)['foreground'].mean()
                                     for i in range(len(self.dataset))])
        return self._shares

    def prepared(self, index: int) -> dict:
        """Sample ``index`` through the pipeline (not packed), with its ``foreground`` mask."""
        return self._prepared(int(self.indices[index]))

    def __getitem__(self, index: int) -> dict:
        return self.pack(self.variant_results(index))

    def variant_results(self, index: int) -> dict:
        """Sample ``index`` through the pipeline with its variant image, before packing.

        Returns:
            dict: The pipeline results; ``img`` (H, W, 3) is the variant, ``foreground``
            (H, W) bool the mask it kept.
        """
        results = self.prepared(index)
        donor = donor_mask = None
        if self.variant in MIXED_VARIANTS:
            other = self.prepared(int(self.donors[index]))
            height, width = results['img'].shape[:2]
            donor = mmcv.imresize(other['img'], (width, height))
            donor_mask = mmcv.imresize(other['foreground'].astype(np.uint8), (width, height),
                                       interpolation='nearest').astype(bool)
        results['img'] = background_variant(results['img'], results['foreground'],
                                            self.variant, donor, donor_mask)
        return results
