"""Evaluation during training: attention alignment, corruption accuracy and kNN accuracy of
the encoder every N epochs (or iterations), logged like validation metrics (log line,
message hub, visualizer scalars, e.g. ``vis_data/scalars.json``)."""
from typing import Dict, Optional, Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS

from ..probes import knn_classify
from ..robustness import CORRUPTIONS, SEVERITIES
from .alignment import attention_scores, center_bias_scores, load_ground_truth, summarise
from .frozen import (FrozenEncoder, dataset_labels, eval_dataloader_cfg, extract_features,
                     labelled_list_dataset, module_normalisation_settings)
from .eval_loader import build_eval_dataloader
from .eval_loop import evaluate_model, metric_value
from .saliency_metric import SALIENCY_METRICS


class _PeriodicEvalHook(Hook):
    """Runs :meth:`evaluate` every ``interval`` epochs (or iterations) and after the last,
    on the main process, and logs what it returns under ``prefix/``."""

    priority = 'LOW'
    prefix = ''

    def __init__(self, interval: int, by_epoch: bool) -> None:
        if interval < 1:
            raise ValueError(f'{type(self).__name__}: interval must be >= 1, got {interval}')
        self.interval = interval
        self.by_epoch = by_epoch

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and (self.every_n_epochs(runner, self.interval)
                              or self.is_last_train_epoch(runner)):
            self._run(runner, runner.epoch + 1)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.by_epoch and (self.every_n_train_iters(runner, self.interval)
                                  or self.is_last_train_iter(runner)):
            self._run(runner, runner.iter + 1)

    def _run(self, runner, step: int) -> None:
        if not is_main_process():
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        scalars = {f'{self.prefix}/{k}': v for k, v in self.evaluate(runner, model).items()}
        for key, value in scalars.items():
            runner.message_hub.update_scalar(key, value)
        runner.visualizer.add_scalars(scalars, step=step)
        unit = 'Epoch' if self.by_epoch else 'Iter'
        runner.logger.info(f'{unit}({self.prefix}) [{step}]  ' + '  '.join(
            f'{k}: {v:.4f}' for k, v in scalars.items()))

    def evaluate(self, runner, model) -> Dict[str, float]:
        raise NotImplementedError


@HOOKS.register_module()
class AttentionAlignmentHook(_PeriodicEvalHook):
    """Score the model's attention against human fixations (or saliency masks) during
    training, with the center-bias baseline logged next to it.

    The attention is :func:`~attn_plugins.evaluation.model_attention` (Grad-CAM of
    classifiers and MoCo-style models, the predicted map of attention heads, VARS sparse-code
    attention), scored by :func:`~attn_plugins.evaluation.alignment.attention_scores`. The
    ground truth is loaded once, before training. Logs ``alignment/<metric>`` (means over
    the images) and, with ``center_bias``, ``alignment/center_bias_<metric>`` (once per run
    it is the same number, logged each time to sit beside the model's).

    Args:
        data (dict): :func:`~attn_plugins.evaluation.alignment.load_ground_truth` arguments,
            e.g. ``dict(osie='data/osie', split='val')`` or ``dict(masks='data/bsds500',
            img_dirs=['images/val'], saliency_dir='sod_masks')``; ``max_images`` too.
        interval (int): Every this many epochs (``by_epoch``) or iterations. Defaults to 1.
        by_epoch (bool): Count epochs, else iterations. Defaults to True.
        size (int): Short side of the model input. Defaults to 128.
        metrics (Sequence[str]): Saliency metrics. Defaults to all five.
        center_bias (bool): Also log the center-bias baseline. Defaults to True.

    Example::

        custom_hooks = [dict(type='AttentionAlignmentHook', interval=5, size=128,
                             data=dict(osie='../shared/data/osie', split='val',
                                       max_images=20))]
    """

    prefix = 'alignment'

    def __init__(self, data: dict, interval: int = 1, by_epoch: bool = True, size: int = 128,
                 metrics: Sequence[str] = tuple(SALIENCY_METRICS),
                 center_bias: bool = True) -> None:
        super().__init__(interval, by_epoch)
        unknown = [m for m in metrics if m not in SALIENCY_METRICS]
        if unknown:
            raise ValueError(f'AttentionAlignmentHook: unknown metrics {unknown}; choose from '
                             f'{sorted(SALIENCY_METRICS)}')
        self.data = dict(data)
        self.size = size
        self.metrics = tuple(metrics)
        self.center_bias = center_bias
        self.samples = None
        self.baseline: Dict[str, float] = {}

    def before_run(self, runner) -> None:
        if not is_main_process():
            return
        self.samples = load_ground_truth(**self.data)
        if self.center_bias:
            self.baseline = summarise(center_bias_scores(self.samples, self.metrics),
                                      self.metrics)
        runner.logger.info(f'AttentionAlignmentHook: {len(self.samples)} images, input short '
                           f'side {self.size}')

    def evaluate(self, runner, model) -> Dict[str, float]:
        summary = summarise(attention_scores(model, self.samples, self.size, self.metrics,
                                             progress=False), self.metrics)
        scores = {m: summary[m] for m in self.metrics}
        scores.update({f'center_bias_{m}': self.baseline[m] for m in self.metrics
                       if m in self.baseline})
        return scores


@HOOKS.register_module()
class CorruptionAccuracyHook(_PeriodicEvalHook):
    """Accuracy under a few ImageNet-C corruptions during training.

    Every ``interval`` epochs, evaluates the run's ``dataloader`` (val by default) with each
    corruption at each severity inserted before packing (``ImageCorruption``), with the
    run's evaluator, and logs ``corruption/<name>_s<severity>`` and ``corruption/mean``.
    Costs one pass over the (optionally subsampled) set per corruption and severity.

    Args:
        corruptions (Sequence[str]): From :data:`attn_plugins.robustness.CORRUPTIONS`.
            Defaults to one per ImageNet-C family: gaussian_noise, defocus_blur, fog,
            jpeg_compression.
        severities (Sequence[int]): Defaults to ``(3,)``.
        interval (int): Every this many epochs (``by_epoch``) or iterations. Defaults to 1.
        by_epoch (bool): Count epochs, else iterations. Defaults to True.
        dataloader (str): ``'val'`` or ``'test'``: which ``<name>_dataloader`` and
            ``<name>_evaluator`` of the config to use. Defaults to ``'val'``.
        max_images (int, optional): A seeded subset of this many images.
        metric_key (str, optional): The metric to log; defaults to the top-1 accuracy.
        seed (int): Seed of the corruptions and the subset. Defaults to 0.
    """

    prefix = 'corruption'

    def __init__(self,
                 corruptions: Sequence[str] = ('gaussian_noise', 'defocus_blur', 'fog',
                                               'jpeg_compression'),
                 severities: Sequence[int] = (3, ),
                 interval: int = 1,
                 by_epoch: bool = True,
                 dataloader: str = 'val',
                 max_images: Optional[int] = None,
                 metric_key: Optional[str] = None,
                 seed: int = 0) -> None:
        super().__init__(interval, by_epoch)
        bad = [c for c in corruptions if c not in CORRUPTIONS] + \
            [s for s in severities if s not in SEVERITIES]
        if bad:
            raise ValueError(f'CorruptionAccuracyHook: unknown corruptions or severities {bad}; '
                             f'corruptions are {", ".join(CORRUPTIONS)}, severities 1 to 5')
        if dataloader not in ('val', 'test'):
            raise ValueError(f"CorruptionAccuracyHook: dataloader must be 'val' or 'test', got "
                             f'{dataloader!r}')
        self.corruptions = tuple(corruptions)
        self.severities = tuple(severities)
        self.dataloader = dataloader
        self.max_images = max_images
        self.metric_key = metric_key
        self.seed = seed

    def evaluate(self, runner, model) -> Dict[str, float]:
        loader_cfg = runner.cfg.get(f'{self.dataloader}_dataloader')
        evaluator_cfg = runner.cfg.get(f'{self.dataloader}_evaluator')
        if loader_cfg is None or evaluator_cfg is None:
            raise KeyError(f'CorruptionAccuracyHook: the config has no {self.dataloader}_'
                           f'dataloader / {self.dataloader}_evaluator to evaluate')
        scores = {}
        for corruption in self.corruptions:
            for severity in self.severities:
                transform = dict(type='ImageCorruption', corruption=corruption,
                                 severity=severity, seed=self.seed)
                loader = build_eval_dataloader(loader_cfg, transform, 'before_pack',
                                               self.max_images, self.seed, num_workers=0)
                metrics = evaluate_model(model, loader, evaluator_cfg)
                scores[f'{corruption}_s{severity}'] = metric_value(metrics, self.metric_key)
        scores['mean'] = sum(scores.values()) / len(scores)
        return scores


@HOOKS.register_module()
class KNNAccuracyHook(_PeriodicEvalHook):
    """Weighted kNN accuracy of the encoder (``model.backbone``) on a small labelled set,
    so representation quality can be watched while pretraining.

    Every ``interval`` epochs (or iterations), the backbone's pooled features of a labelled
    bank (``train``) and of held-out images (``test``) are extracted with BatchNorm in eval
    mode (each module's mode is restored afterwards, so training is not disturbed), and each
    test image is classified by :func:`attn_plugins.probes.knn_classify` (k nearest bank
    features by cosine, votes ``exp(cos / temperature)``). Logs ``knn/top1`` and
    ``knn/mean_class`` (percent). Normalisation is the model's own data preprocessor's.

    Args:
        data_root (str, optional): A folder in Caltech-101's layout (``train.txt``,
            ``test.txt``, ``images/<class>/``): builds both sets with the evaluation
            pipeline at ``size`` (``BACKGROUND_Google`` left out).
        train_dataset (dict, optional): Dataset config of the bank instead (single-label,
            with a test pipeline ending in ``PackInputs``).
        test_dataset (dict, optional): Dataset config of the evaluated images.
        size (int): Input side with ``data_root``. Defaults to 64.
        max_train (int, optional): A seeded subset of the bank.
        max_test (int, optional): A seeded subset of the test images.
        k (int): Neighbours. Defaults to 20.
        temperature (float): Vote temperature. Defaults to 0.07.
        interval (int): Every this many epochs (``by_epoch``) or iterations. Defaults to 1.
        by_epoch (bool): Count epochs, else iterations. Defaults to True.
        batch_size (int): Images per forward pass. Defaults to 64.
        num_workers (int): Dataloader workers. Defaults to 0.
        seed (int): Seed of the subsets. Defaults to 0.

    Example::

        custom_hooks = [dict(type='KNNAccuracyHook', interval=1, size=64, max_train=2000,
                             max_test=1000, data_root='../shared/data/caltech101')]
    """

    prefix = 'knn'

    def __init__(self, data_root: Optional[str] = None, train_dataset: Optional[dict] = None,
                 test_dataset: Optional[dict] = None, size: int = 64,
                 max_train: Optional[int] = None, max_test: Optional[int] = None, k: int = 20,
                 temperature: float = 0.07, interval: int = 1, by_epoch: bool = True,
                 batch_size: int = 64, num_workers: int = 0, seed: int = 0) -> None:
        super().__init__(interval, by_epoch)
        if (data_root is None) == (train_dataset is None or test_dataset is None):
            raise ValueError('KNNAccuracyHook: give data_root (Caltech-101 layout) or both '
                             'train_dataset and test_dataset')
        if data_root is not None:
            train_dataset = labelled_list_dataset(data_root, 'train.txt', size)
            test_dataset = labelled_list_dataset(data_root, 'test.txt', size)
        self.datasets = dict(train=(train_dataset, max_train), test=(test_dataset, max_test))
        self.k = k
        self.temperature = temperature
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.seed = seed
        self.loaders: Dict = {}

    def before_run(self, runner) -> None:
        if not is_main_process():
            return
        for split, (dataset, max_images) in self.datasets.items():
            self.loaders[split] = build_eval_dataloader(
                eval_dataloader_cfg(dataset, self.batch_size, self.num_workers), None,
                max_images=max_images, seed=self.seed, num_workers=self.num_workers)
        runner.logger.info(f'KNNAccuracyHook: {len(self.loaders["train"].dataset)} bank and '
                           f'{len(self.loaders["test"].dataset)} test images, k={self.k}')

    def evaluate(self, runner, model) -> Dict[str, float]:
        device = next(model.backbone.parameters()).device
        encoder = FrozenEncoder(model.backbone,
                                **module_normalisation_settings(model.data_preprocessor))
        encoder.data_preprocessor.to(device)
        features = {split: extract_features(encoder, loader)
                    for split, loader in self.loaders.items()}
        labels = {split: dataset_labels(loader.dataset) for split, loader in self.loaders.items()}
        result = knn_classify(features['train'], labels['train'], features['test'],
                              labels['test'], self.k, self.temperature)
        return dict(top1=result['top1'], mean_class=result['mean_class'])
