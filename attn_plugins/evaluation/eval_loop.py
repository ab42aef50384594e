"""A runner-free evaluation loop: score a model on a dataloader with a config's own evaluator
(:func:`evaluate_model`), pick the reported metric (:func:`metric_value`), and log progress
per evaluated cell (:class:`CellTimer`)."""
import copy
import time
from typing import Dict, Optional, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.utils import ProgressBar


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
