"""ATCON's training loops over a labelled and an unlabelled loader.

``ATCONAlternatingLoop`` takes a batch from one of them at random each iteration;
``ATCONCombinedLoop`` joins one batch of each.
"""
import random
from typing import Dict, Iterator, List, Optional, Tuple, Union

import torch
from mmengine.logging import MMLogger
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import LOOPS
from torch.utils.data import DataLoader


class _LabeledUnlabeledLoop(IterBasedTrainLoop):
    """Iteration-based training with a second, unlabelled loader (built like the first)."""

    def __init__(self, runner, dataloader: Union[DataLoader, Dict],
                 unlabeled_dataloader: Union[DataLoader, Dict], max_iters: int,
                 val_begin: int = 1, val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        super().__init__(runner, dataloader, max_iters, val_begin=val_begin,
                         val_interval=val_interval, dynamic_intervals=dynamic_intervals)
        self.unlabeled_dataloader = runner.build_dataloader(unlabeled_dataloader,
                                                            seed=runner.seed)
        name = type(self).__name__
        for key, loader in (('train_dataloader', self.dataloader),
                            ('unlabeled_dataloader', self.unlabeled_dataloader)):
            if len(loader) == 0:
                raise ValueError(f'{name}: the {key} yields no batch; give it images (and '
                                 f'drop_last=False if it has fewer than a batch).')


@LOOPS.register_module()
class ATCONAlternatingLoop(_LabeledUnlabeledLoop):
    """Iteration-based training that alternates labelled and unlabelled batches at random.

    Each iteration takes a batch from the labelled loader (``train_dataloader``, e.g. with a
    ``FewShotSampler``) with probability ``p = alpha * S / (alpha * S + U)``, ``S`` and
    ``U`` the number of labelled and unlabelled images per epoch, and from
    ``unlabeled_dataloader`` otherwise. It sets ``labeled=True/False`` in the metainfo of
    every data sample of the batch, which ``ATCONClassifier(mode='alternating')`` reads to
    take a classification step or a consistency step. The draws are seeded (the runner's
    seed by default, the same on every rank), so all ranks take the same kind of step. Each
    loader restarts when exhausted, with the next epoch set on its sampler.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The labelled loader (``train_dataloader``).
        unlabeled_dataloader (DataLoader | dict): The unlabelled loader, built like
            ``train_dataloader`` (dataset, sampler, batch size, ...); its labels are never
            used.
        max_iters (int): Total iterations.
        alpha (float): ATCON's ``alpha`` > 0; ``alpha = U / S`` gives even odds.
            Defaults to 1.0.
        seed (int, optional): Seed of the draws. Defaults to the runner's seed.
        val_begin (int): First iteration that may validate. Defaults to 1.
        val_interval (int): Validation interval in iterations. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): See mmengine's
            ``IterBasedTrainLoop``.

    Example::

        train_cfg = dict(type='ATCONAlternatingLoop', max_iters=2000, alpha=1.0,
                         val_interval=500,
                         unlabeled_dataloader=dict(batch_size=16, num_workers=4,
                                                   sampler=dict(type='DefaultSampler'),
                                                   dataset=dict(...)))
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 unlabeled_dataloader: Union[DataLoader, Dict],
                 max_iters: int,
                 alpha: float = 1.0,
                 seed: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        if not alpha > 0:
            raise ValueError(f'ATCONAlternatingLoop: alpha must be > 0, got {alpha!r}.')
        super().__init__(runner, dataloader, unlabeled_dataloader, max_iters,
                         val_begin=val_begin, val_interval=val_interval,
                         dynamic_intervals=dynamic_intervals)
        labeled = len(self.dataloader.sampler)
        unlabeled = len(self.unlabeled_dataloader.sampler)
        self.labeled_probability = alpha * labeled / (alpha * labeled + unlabeled)
        self.rng = random.Random(runner.seed if seed is None else seed)
        MMLogger.get_current_instance().info(
            f'ATCONAlternatingLoop: {labeled} labeled and {unlabeled} unlabeled images per '
            f'epoch and rank, alpha={alpha}: a labeled batch with probability '
            f'{self.labeled_probability:.3f}')
        self.dataloader_iterator = self._alternate()

    def _alternate(self) -> Iterator[dict]:
        """Batches drawn from either loader, each data sample flagged ``labeled``."""
        sources = (_endless(self.dataloader), _endless(self.unlabeled_dataloader))
        while True:
            labeled = self.rng.random() < self.labeled_probability
            batch = next(sources[0] if labeled else sources[1])
            for sample in batch['data_samples']:
                sample.set_metainfo(dict(labeled=labeled))
            yield batch


@LOOPS.register_module()
class ATCONCombinedLoop(_LabeledUnlabeledLoop):
    """Iteration-based training on one labelled and one unlabelled batch per iteration.

    ATCON's combined mode, ``BCE(labelled batch) + alpha * L_cons(unlabelled batch)``, as
    its release trains it: each iteration draws the next batch of the labelled loader
    (``train_dataloader``, e.g. with a ``FewShotSampler``) and the next batch of
    ``unlabeled_dataloader``, flags every data sample ``labeled=True`` / ``False`` and
    joins them into one batch (labelled samples first), which
    ``ATCONClassifier(mode='combined')`` splits again by the flag. Joining keeps one
    ``train_step`` and one pass of the data preprocessor per iteration. Each loader restarts
    when exhausted, with the next epoch set on its sampler.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The labelled loader (``train_dataloader``).
        unlabeled_dataloader (DataLoader | dict): The unlabelled loader, built like
            ``train_dataloader``; its labels are never used.
        max_iters (int): Total iterations.
        val_begin (int): First iteration that may validate. Defaults to 1.
        val_interval (int): Validation interval in iterations. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): See mmengine's
            ``IterBasedTrainLoop``.

    Example::

        model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, ...)
        train_cfg = dict(type='ATCONCombinedLoop', max_iters=200, val_interval=50,
                         unlabeled_dataloader=dict(batch_size=8, num_workers=2,
                                                   sampler=dict(type='DefaultSampler'),
                                                   dataset=dict(...)))
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 unlabeled_dataloader: Union[DataLoader, Dict],
                 max_iters: int,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        super().__init__(runner, dataloader, unlabeled_dataloader, max_iters,
                         val_begin=val_begin, val_interval=val_interval,
                         dynamic_intervals=dynamic_intervals)
        MMLogger.get_current_instance().info(
            f'ATCONCombinedLoop: each iteration joins a labeled batch of '
            f'{self.dataloader.batch_size} and an unlabeled batch of '
            f'{self.unlabeled_dataloader.batch_size}')
        self.dataloader_iterator = self._combine()

    def _combine(self) -> Iterator[dict]:
        """Joined batches, labelled samples first, each sample flagged ``labeled``."""
        labeled_batches = _endless(self.dataloader)
        unlabeled_batches = _endless(self.unlabeled_dataloader)
        while True:
            yield join_batches(next(labeled_batches), next(unlabeled_batches))


def join_batches(labeled: dict, unlabeled: dict) -> dict:
    """One batch of a labelled and an unlabelled batch, every sample flagged ``labeled``.

    Args:
        labeled (dict): A collated batch, ``inputs`` (a list of tensors, as mmengine's
            ``pseudo_collate`` gives, or one stacked tensor) and ``data_samples``.
        unlabeled (dict): A batch of the same structure.

    Returns:
        dict: ``inputs`` and ``data_samples`` of both, labelled samples first.
    """
    if set(labeled) != {'inputs', 'data_samples'} or set(unlabeled) != set(labeled):
        raise ValueError(f'ATCONCombinedLoop joins batches of inputs and data_samples, got '
                         f'keys {sorted(labeled)} and {sorted(unlabeled)}.')
    for batch, flag in ((labeled, True), (unlabeled, False)):
        for sample in batch['data_samples']:
            sample.set_metainfo(dict(labeled=flag))
    first, second = labeled['inputs'], unlabeled['inputs']
    if isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor):
        inputs = torch.cat([first, second])
    elif isinstance(first, (list, tuple)) and isinstance(second, (list, tuple)):
        inputs = list(first) + list(second)
    else:
        raise ValueError(f'ATCONCombinedLoop: the two loaders collate inputs differently '
                         f'({type(first).__name__} and {type(second).__name__}); give them '
                         f'the same collate_fn.')
    return dict(inputs=inputs,
                data_samples=list(labeled['data_samples']) + list(unlabeled['data_samples']))


def _endless(dataloader: DataLoader) -> Iterator[dict]:
    """The loader's batches, epoch after epoch, with the epoch set on its sampler."""
    epoch = 0
    while True:
        sampler = getattr(dataloader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)
        yield from dataloader
        epoch += 1
