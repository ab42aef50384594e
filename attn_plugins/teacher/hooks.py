"""``OnlineTeacherHook``: teacher maps computed during training, with no offline pass."""
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from ..data.fields import SALIENCY
from .build import build_teacher


def _views(inputs: Union[torch.Tensor, Sequence[torch.Tensor]]) -> Tuple[List[torch.Tensor], bool]:
    """The batch's images as one (B, 3, H, W) tensor per view, and whether it is multi-view."""
    if isinstance(inputs, torch.Tensor):
        return [inputs], False
    if all(isinstance(x, torch.Tensor) and x.ndim == 4 for x in inputs):
        return list(inputs), True  # default_collate of several views
    if all(isinstance(x, torch.Tensor) and x.ndim == 3 for x in inputs):
        if len({tuple(x.shape) for x in inputs}) != 1:
            raise ValueError('OnlineTeacherHook needs the images of a batch at one size; '
                             'resize or crop them to a fixed size in the pipeline')
        return [torch.stack(list(inputs))], False  # pseudo_collate of single images
    raise ValueError('OnlineTeacherHook expects batch inputs as a (B, 3, H, W) tensor, a list '
                     'of them (one per view) or a list of (3, H, W) images')


def _teacher_views(samples: Sequence, image_key: str, inputs: List[torch.Tensor],
                   multi_view: bool) -> List[torch.Tensor]:
    """The teacher's copy of each view, one (B, 3, H, W) tensor per view, like the inputs.

    Args:
        samples (Sequence[DataSample]): the batch's data samples, each with ``image_key``:
            (3, H, W) for single-view batches, (V, 3, H, W) or V x (3, H, W) otherwise.
        image_key (str): the field ``KeepTeacherView`` filled.
        inputs (list[torch.Tensor]): the student's views, V x (B, 3, H, W).
        multi_view (bool): whether the batch holds several views per sample.

    Returns:
        list[torch.Tensor]: V x (B, 3, H, W), on the inputs' device.
    """
    missing = [i for i, sample in enumerate(samples) if image_key not in sample]
    if missing:
        raise ValueError(f'OnlineTeacherHook(image_key={image_key!r}): data samples {missing} '
                         f'have no {image_key!r}; add KeepTeacherView(key={image_key!r}) to the '
                         'view pipeline after its geometric steps, list the key in '
                         "SaliencyMultiView's extra_keys and the packer's algorithm_keys, or "
                         'set image_key=None to label the inputs')
    per_sample = [sample.get(image_key) for sample in samples]
    if multi_view:
        counts = {len(kept) for kept in per_sample}
        if counts != {len(inputs)}:
            raise ValueError(f'OnlineTeacherHook: the samples hold {sorted(counts)} teacher '
                             f'views ({image_key!r}) for {len(inputs)} student views; keep '
                             'one per view (KeepTeacherView inside the view pipeline)')
        views = [torch.stack([torch.as_tensor(kept[v]) for kept in per_sample])
                 for v in range(len(inputs))]
    else:
        views = [torch.stack([torch.as_tensor(kept) for kept in per_sample])]
    for view, student in zip(views, inputs):
        if view.shape[-2:] != student.shape[-2:]:
            raise ValueError(f'OnlineTeacherHook: the teacher views ({image_key!r}) are '
                             f'{tuple(view.shape[-2:])} but the student views '
                             f'{tuple(student.shape[-2:])}; place KeepTeacherView after every '
                             'crop and resize of the view pipeline')
    return [view.to(student.device) for view, student in zip(views, inputs)]


@HOOKS.register_module()
class OnlineTeacherHook(Hook):
    """Label every training batch with a frozen teacher, instead of map files.

    Before each training iteration, runs a trained ``SaliencyTeacher`` on each view of the
    batch and puts its maps, scaled to a maximum of 1, on the data samples under ``key``:
    ``(V, H, W)`` per sample for multi-view batches, ``(H, W)`` otherwise. The student then
    reads them as it reads maps loaded from files.

    What the teacher sees: with ``image_key`` set, the copy of each view that
    ``KeepTeacherView`` kept after the view's geometric steps, i.e. the un-jittered crop,
    aligned pixel for pixel with the student's view but without its colour jitter,
    grayscale or blur (the configs with colour augmentation do this). With
    ``image_key=None``, the batch's inputs, i.e. each view exactly as the student sees it:
    right for pipelines without photometric augmentation (the supervised configs' crop and
    flip), but on a SimCLR view the teacher would label a recoloured, blurred image.
    Other differences from the offline ``tools/gen_saliency.py`` pass: the teacher sees the
    crop, not the whole image (so its center prior is the crop's center), and it costs a
    teacher forward pass per view and iteration.

    Args:
        teacher (str): the teacher's config file, or ``'default'`` for the teacher shipped
            with the package (:func:`attn_plugins.teacher.build.build_teacher`).
        checkpoint (str, optional): the teacher's checkpoint (from ``tools/train.py``); none
            with ``'default'``.
        key (str): data-sample field to fill; the student's ``target_key``.
        image_key (str, optional): data-sample field with the teacher's view of each
            sample (``KeepTeacherView``'s ``key``, packed by ``algorithm_keys``): a
            ``(3, H, W)`` uint8 tensor, or one per view. None: label the batch inputs.
    """

    priority = 'NORMAL'

    def __init__(self, teacher: str = 'default', checkpoint: Optional[str] = None,
                 key: str = SALIENCY, image_key: Optional[str] = None) -> None:
        # Check the files now, so a wrong path fails before any data is loaded.
        if teacher == 'default':
            if checkpoint is not None:
                raise ValueError("OnlineTeacherHook: the default teacher brings its own "
                                 "weights; give no checkpoint with teacher='default'")
        else:
            if not osp.isfile(teacher):
                raise FileNotFoundError(f'OnlineTeacherHook: teacher config not found: '
                                        f'{teacher}')
            if checkpoint is None or not osp.isfile(checkpoint):
                raise FileNotFoundError(f'OnlineTeacherHook: teacher checkpoint not found: '
                                        f'{checkpoint}; train one with tools/train.py on a '
                                        "configs/saliency_teacher config, or use "
                                        "teacher='default'")
        self.teacher_config = teacher
        self.checkpoint = checkpoint
        self.key = key
        self.image_key = image_key
        self.teacher: Optional[torch.nn.Module] = None

    def before_run(self, runner) -> None:
        """Build and load the frozen teacher on the student's device (strictly: a checkpoint
        of another model fails here, naming its keys, instead of labelling every batch with
        a random teacher)."""
        device = next(runner.model.parameters()).device
        teacher, _ = build_teacher(self.teacher_config, self.checkpoint, device=device)
        self.teacher = teacher.requires_grad_(False)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None) -> None:
        """Put the teacher's map of each view on its data sample."""
        views, multi_view = _views(data_batch['inputs'])
        if self.image_key is not None:
            views = _teacher_views(data_batch['data_samples'], self.image_key, views,
                                   multi_view)
        maps = [self.teacher.saliency_maps(view) for view in views]  # V x (B, H, W)
        for i, sample in enumerate(data_batch['data_samples']):
            value = torch.stack([m[i] for m in maps]) if multi_view else maps[0][i]
            sample.set_field(value, self.key)
