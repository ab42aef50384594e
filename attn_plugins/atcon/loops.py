"""``ATCONAlternatingLoop``: ATCON's alternating labelled / unlabelled training."""
import random
from typing import Dict, Iterator, List, Optional, Tuple, Union

from mmengine.logging import MMLogger
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import LOOPS
from torch.utils.data import DataLoader


@LOOPS.register_module()
class ATCONAlternatingLoop(IterBasedTrainLoop):
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
        super().__init__(runner, dataloader, max_iters, val_begin=val_begin,
                         val_interval=val_interval, dynamic_intervals=dynamic_intervals)
        self.unlabeled_dataloader = runner.build_dataloader(unlabeled_dataloader,
                                                            seed=runner.seed)
        for name, loader in (('train_dataloader', self.dataloader),
                             ('unlabeled_dataloader', self.unlabeled_dataloader)):
            if len(loader) == 0:
                raise ValueError(f'ATCONAlternatingLoop: the {name} yields no batch; give it '
                                 f'images (and drop_last=False if it has fewer than a batch).')
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


def _endless(dataloader: DataLoader) -> Iterator[dict]:
    """The loader's batches, epoch after epoch, with the epoch set on its sampler."""
    epoch = 0
    while True:
        sampler = getattr(dataloader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)
        yield from dataloader
        epoch += 1
