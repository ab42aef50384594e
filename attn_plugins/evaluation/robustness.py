"""Robustness evaluation in OpenMMLab: corrupted test pipelines, background variants, and a
runner-free loop that scores a model on a config's test set with the config's own metric.

- :class:`ImageCorruption` (``TRANSFORMS``): one ImageNet-C corruption at one severity.
- :class:`BackgroundVariantDataset` (``DATASETS``): a classification dataset whose images
  have their background replaced (Backgrounds Challenge variants);
  :class:`GrabCutForeground` (``TRANSFORMS``): its default foreground mask.
- :func:`build_eval_dataloader` and :func:`evaluate_model`: what the robustness tools and
  :class:`~attn_plugins.evaluation.hooks.CorruptionAccuracyHook` run.

The pixel work is the pure core in :mod:`attn_plugins.robustness`.
"""
import copy
import time
import zlib
from typing import Callable, Dict, List, Optional, Sequence, Union

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose
from mmengine.dataset import BaseDataset
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmengine.utils import ProgressBar
from mmpretrain.registry import DATASETS, TRANSFORMS

from ..robustness import (CORRUPTIONS, EXTRA_CORRUPTIONS, MIXED_VARIANTS, SEVERITIES,
                          VARIANTS, background_donors, background_variant, corrupt,
                          grabcut_foreground)
from ..saliency import to_mask

#: Where :func:`insert_transform` puts a transform in a test pipeline.
POSITIONS = ('before_pack', 'after_load')


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
        results['saliency'] = grabcut_foreground(img, box, self.iterations).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(margin={self.margin}, iterations={self.iterations})'


def _pack_index(pipeline: Sequence[dict]) -> int:
    types = [str(t.get('type', '')) if isinstance(t, dict) else type(t).__name__
             for t in pipeline]
    packs = [i for i, name in enumerate(types) if name.split('.')[-1].startswith('Pack')]
    if not packs:
        raise ValueError(f'the pipeline has no packing transform (PackInputs, ...) to insert '
                         f'before: {types}')
    return packs[-1]


def insert_transform(pipeline: Sequence[dict], transform: dict,
                     position: str = 'before_pack') -> List[dict]:
    """A copy of a pipeline (list of transform configs) with one more transform.

    Args:
        pipeline (Sequence[dict]): Transform configs, e.g. a test pipeline.
        transform (dict): The transform config to insert.
        position (str): ``'before_pack'``: right before the last ``Pack*`` transform, i.e.
            on the final-resolution image (as ImageNet-C); ``'after_load'``: right after the
            first transform (the image loading), on the image as stored.

    Returns:
        list[dict]: The new pipeline.
    """
    pipeline = [copy.deepcopy(t) for t in pipeline]
    if position == 'before_pack':
        index = _pack_index(pipeline)
    elif position == 'after_load':
        index = 1
    else:
        raise ValueError(f'position must be one of {POSITIONS}, got {position!r}')
    pipeline.insert(index, copy.deepcopy(transform))
    return pipeline


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
        if 'saliency' not in results:
            raise KeyError(f'{results.get("img_path", dataset_index)} has no saliency after the '
                           'pipeline: set mask_transform (GrabCutForeground, EstimateSaliency) '
                           'or load maps with LoadSaliencyMap')
        results['foreground'] = to_mask(np.asarray(results['saliency']), self.threshold)
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


DatasetWrapper = Callable[[BaseDataset], torch.utils.data.Dataset]


def build_eval_dataloader(dataloader_cfg: dict,
                          transform: Optional[dict] = None,
                          position: str = 'before_pack',
                          max_images: Optional[int] = None,
                          seed: int = 0,
                          wrapper: Optional[DatasetWrapper] = None,
                          num_workers: Optional[int] = None) -> torch.utils.data.DataLoader:
    """A config's test (or val) dataloader, optionally with an extra transform, a subset and a
    dataset wrapper.

    Args:
        dataloader_cfg (dict): E.g. ``cfg.test_dataloader``; its ``dataset`` must hold a
            ``pipeline``.
        transform (dict, optional): Transform config inserted with :func:`insert_transform`.
        position (str): Where it goes (:data:`POSITIONS`).
        max_images (int, optional): Evaluate a subset of this many images, drawn with
            ``seed`` (the same subset for every call with the same arguments).
        seed (int): Seed of the subset.
        wrapper (Callable, optional): Wraps the built dataset (e.g. a
            :class:`BackgroundVariantDataset` factory).
        num_workers (int, optional): Overrides the config's ``num_workers``.

    Returns:
        DataLoader: Built by mmengine's ``Runner.build_dataloader``.
    """
    cfg = copy.deepcopy(dict(dataloader_cfg))
    dataset_cfg = dict(cfg.pop('dataset'))
    if num_workers is not None:
        cfg['num_workers'] = num_workers
        if num_workers == 0:
            cfg['persistent_workers'] = False
    dataset_type = dataset_cfg.get('type')
    if isinstance(dataset_type, str):
        dataset_type = DATASETS.get(dataset_type)
    if not cfg.get('num_workers') and isinstance(dataset_type, type) and issubclass(
            dataset_type, BaseDataset):
        # Read in this process only: serialising the data list (for workers to share) costs
        # a gc.collect() per build, about a second in a process holding several models.
        dataset_cfg.setdefault('serialize_data', False)
    if transform is not None:
        if 'pipeline' not in dataset_cfg:
            raise ValueError(f'the dataloader\'s dataset ({dataset_cfg.get("type")}) has no '
                             "'pipeline' to insert a transform into; wrapped datasets are not "
                             'supported')
        dataset_cfg['pipeline'] = insert_transform(dataset_cfg['pipeline'], transform, position)
    dataset = DATASETS.build(dataset_cfg)
    if max_images is not None and max_images < len(dataset):
        rng = np.random.RandomState(seed)
        dataset.get_subset_(sorted(rng.choice(len(dataset), max_images, replace=False).tolist()))
    if wrapper is not None:
        dataset = wrapper(dataset)
    cfg['dataset'] = dataset
    return Runner.build_dataloader(cfg)


def evaluate_model(model: torch.nn.Module, dataloader: torch.utils.data.DataLoader,
                   evaluator_cfg: Union[dict, list], progress: bool = False) -> Dict[str, float]:
    """Score a model on a dataloader with a config's evaluator, as mmengine's ``TestLoop``.

    Args:
        model (nn.Module): An mmengine model (``test_step``), e.g. from
            :func:`attn_plugins.engine.launch.load_model`.
        dataloader (DataLoader): From :func:`build_eval_dataloader`.
        evaluator_cfg (dict | list): E.g. ``cfg.test_evaluator``.
        progress (bool): Show a progress bar over the batches.

    Returns:
        dict[str, float]: The evaluator's metrics (e.g. ``accuracy/top1``, in percent).
    """
    evaluator = Evaluator(copy.deepcopy(evaluator_cfg))
    evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
    was_training = model.training
    model.eval()
    bar = ProgressBar(len(dataloader)) if progress else None
    try:
        with torch.no_grad():
            for batch in dataloader:
                evaluator.process(model.test_step(batch), batch)
                if bar is not None:
                    bar.update()
    finally:
        model.train(was_training)
    if bar is not None:
        bar.file.write('\n')
    return evaluator.evaluate(len(dataloader.dataset))


def metric_value(metrics: Dict[str, float], key: Optional[str] = None) -> float:
    """One number from an evaluator's metrics: ``key``, else the first top-1 accuracy.

    Raises:
        KeyError: When ``key`` (or a ``top1`` key) is not among the metrics.
    """
    if key is None:
        key = next((k for k in metrics if k.endswith('top1')), None)
        if key is None:
            raise KeyError(f'no top-1 accuracy among the metrics {sorted(metrics)}; name the '
                           'one to report (--metric-key)')
    if key not in metrics:
        raise KeyError(f'metric {key!r} not among {sorted(metrics)}')
    return float(metrics[key])


class CellTimer:
    """Logs one line per evaluated cell with the elapsed time and an ETA for the rest."""

    def __init__(self, total: int, logger: str = 'current') -> None:
        self.total = total
        self.done = 0
        self.start = time.time()
        self.logger = logger

    def step(self, message: str) -> None:
        self.done += 1
        elapsed = time.time() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        print_log(f'[{self.done}/{self.total}] {message}  (elapsed {elapsed:.0f}s, '
                  f'ETA {eta:.0f}s)', logger=self.logger)
