"""A config's test dataloader for evaluation tools: with one more transform inserted into its
pipeline (:func:`insert_transform`), a fixed subset and a dataset wrapper."""
import copy
from typing import Callable, List, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.runner import Runner
from mmpretrain.registry import DATASETS

#: Where :func:`insert_transform` puts a transform in a test pipeline.
POSITIONS = ('before_pack', 'after_load')


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
