"""``ResumableEpochBasedTrainLoop``: epoch-based training that resumes inside an epoch exactly.

mmengine's ``EpochBasedTrainLoop`` restores ``epoch`` and ``iter`` from a checkpoint and then
replays the saved epoch from its first batch. A checkpoint saved by iteration
(``CheckpointHook(by_epoch=False, interval=N)``) lies inside an epoch, so the resumed run trains
the epoch's batches before it a second time, ends that many iterations past ``max_iters`` and
logs a negative ETA (``-1 day, 23:59:59``) over them. This loop leaves those batches out, so that a
killed and resumed run trains on exactly the batches, in the same order, that an uninterrupted
run would have, and stops at ``max_epochs * len(train_dataloader)`` iterations.
"""
import itertools
import logging
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.registry import LOOPS
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

# Message-hub key holding how many batches of the current epoch have been trained. The message
# hub is saved in every checkpoint and restored by ``--resume``, so the count survives a kill.
BATCHES_DONE_KEY = 'train_epoch_batches_done'


class SkipFirstBatches:
    """A batch sampler that leaves out the first ``skip`` batches of each pass.

    It wraps the data loader's batch sampler, so skipping costs only drawing the indices: no
    image of a skipped batch is read. ``len()`` stays the full epoch's, and every other
    attribute (``sampler``, ``batch_size``, ...) is the wrapped sampler's, as mmengine's
    ``DistSamplerSeedHook`` expects. ``skip`` holds until it is set back to 0: a loader with
    workers starts more than one pass when it builds its iterator and keeps the last.

    Args:
        batch_sampler (Iterable[list[int]]): The batch sampler to wrap.

    Example:
        >>> from torch.utils.data import BatchSampler, SequentialSampler
        >>> batches = SkipFirstBatches(BatchSampler(SequentialSampler(range(7)), 2, False))
        >>> batches.skip = 2
        >>> list(batches), len(batches)
        ([[4, 5], [6]], 4)
        >>> batches.skip = 0
        >>> list(batches)
        [[0, 1], [2, 3], [4, 5], [6]]
    """

    def __init__(self, batch_sampler: Iterable[List[int]]) -> None:
        self.batch_sampler = batch_sampler
        self.skip = 0

    def __iter__(self) -> Iterator[List[int]]:
        return itertools.islice(iter(self.batch_sampler), self.skip, None)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __getattr__(self, name: str):
        # Only called for names not found on the wrapper itself; the guard keeps copy/pickle
        # (which look attributes up before __init__ ran) from recursing.
        if name == 'batch_sampler':
            raise AttributeError(name)
        return getattr(self.batch_sampler, name)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes a checkpoint saved inside an epoch where it stopped.

    Every iteration records in the message hub how many batches of the current epoch are done
    (0 at the end of an epoch, before the epoch's hooks save a checkpoint). After ``--resume``,
    the interrupted epoch leaves out that many batches of its (deterministic: the sampler is
    seeded per epoch) batch order, so the run ends at ``max_epochs * len(train_dataloader)``
    iterations, with the data order of an uninterrupted run and a non-negative ETA. Checkpoints
    saved by epoch resume as with mmengine's loop.

    The data order is reproducible only if the sampler's seed is the same after resuming. When
    the sampler took the runner's seed (the default: ``randomness = dict(seed=None)`` draws a
    new one per run, and mmengine's resume restores the checkpoint's seed into the runner only
    after the data loader is built), the resumed run gives the sampler the restored seed.

    It is registered in mmengine's root ``LOOPS``, so configs of every scope (mmpretrain,
    mmdet, mmseg) can name it.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The training loader or its config.
        max_epochs (int): Total epochs.
        val_begin (int): First epoch that may validate. Defaults to 1.
        val_interval (int): Validation interval in epochs. Defaults to 1.
        dynamic_intervals (list[tuple[int, int]], optional): See mmengine's
            ``EpochBasedTrainLoop``.

    Example::

        train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=200)
        default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False,
                                             interval=500))
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        super().__init__(runner, dataloader, max_epochs, val_begin=val_begin,
                         val_interval=val_interval, dynamic_intervals=dynamic_intervals)
        self._skipper = None
        loader = self.dataloader
        # DataLoader refuses a new batch_sampler after construction (switching batching on or
        # off would leave it inconsistent). We only wrap the one it batches with, before any
        # iterator exists: an iterator caches the batch sampler it was made with.
        if (isinstance(loader, DataLoader) and loader.batch_sampler is not None
                and getattr(loader, '_iterator', None) is None):
            self._skipper = SkipFirstBatches(loader.batch_sampler)
            object.__setattr__(loader, 'batch_sampler', self._skipper)
        sampler = self._seeded_sampler()
        # mmengine's build_dataloader gives the sampler the runner's seed unless the config
        # sets one; only then does the sampler follow the seed a resume restores.
        self._sampler_follows_runner_seed = (sampler is not None
                                             and sampler.seed == runner.seed)

    def _seeded_sampler(self):
        """The loader's per-epoch seeded sampler (``seed`` and ``set_epoch``), or ``None``."""
        candidates = (getattr(self.dataloader, 'sampler', None),
                      getattr(getattr(self.dataloader, 'batch_sampler', None), 'sampler', None))
        for sampler in candidates:
            if hasattr(sampler, 'set_epoch') and hasattr(sampler, 'seed'):
                return sampler
        return None

    def run(self):
        """Train to ``max_epochs``; after a resume, first give the sampler the restored seed.

        Returns:
            nn.Module: The trained model.
        """
        sampler = self._seeded_sampler()
        if self._sampler_follows_runner_seed and sampler.seed != self.runner.seed:
            print_log(f'ResumableEpochBasedTrainLoop: the data order follows the resumed '
                      f'seed {self.runner.seed} (the sampler was built with {sampler.seed})',
                      logger='current')
            sampler.seed = self.runner.seed
        return super().run()

    def _batches_done(self) -> int:
        """How many batches of the current epoch a resumed checkpoint has already trained.

        Returns:
            int: In ``[0, len(self.dataloader)]``; 0 when the epoch starts from its first batch.

        Raises:
            RuntimeError: The checkpoint's epoch had more batches than the loader has now.
        """
        length = len(self.dataloader)
        done = self.runner.message_hub.get_info(BATCHES_DONE_KEY)
        if done is None:
            # Started afresh, or a checkpoint of a loop that did not record the position:
            # there, as in mmengine's loop, the epoch starts over.
            if self._iter != self._epoch * length:
                print_log(f'ResumableEpochBasedTrainLoop: the checkpoint (epoch {self._epoch}, '
                          f'iter {self._iter}) does not record how much of its epoch was '
                          'trained; the epoch starts again from its first batch.',
                          logger='current', level=logging.WARNING)
            return 0
        if done > length:
            raise RuntimeError(
                f'ResumableEpochBasedTrainLoop: the resumed checkpoint had trained {done} '
                f'batches of epoch {self._epoch + 1}, but an epoch now has {length} batches: '
                'resume with the dataset, batch size and number of processes it was saved '
                'with, or from a checkpoint saved at the end of an epoch.')
        return int(done)

    def run_epoch(self) -> None:
        """Train one epoch, leaving out the batches a resumed checkpoint already trained."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        done = self._batches_done()
        if done:
            print_log(f'ResumableEpochBasedTrainLoop: resuming inside epoch {self._epoch + 1}: '
                      f'leaving out its first {done} of {len(self.dataloader)} batches, '
                      'trained before the checkpoint', logger='current')
        if self._skipper is not None:
            # The iterator draws its batch order when built (with workers, the first batches
            # are requested at once); later epochs start from their first batch again.
            self._skipper.skip = done
            batches = iter(self.dataloader)
            self._skipper.skip = 0
        else:
            # A loader we could not wrap: load the trained batches and drop them.
            batches = itertools.islice(self.dataloader, done, None)
        for idx, data_batch in enumerate(batches, start=done):
            self.run_iter(idx, data_batch)
        # The epoch's hooks may save a checkpoint (epoch + 1): it resumes at a fresh epoch.
        self.runner.message_hub.update_info(BATCHES_DONE_KEY, 0)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def run_iter(self, idx: int, data_batch: dict) -> None:
        """Train one batch; record it as done before the hooks that may save a checkpoint.

        Args:
            idx (int): Index of the batch in the epoch.
            data_batch (dict): The collated batch.
        """
        self.runner.message_hub.update_info(BATCHES_DONE_KEY, idx + 1)
        super().run_iter(idx, data_batch)
