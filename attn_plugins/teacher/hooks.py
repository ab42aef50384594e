"""``OnlineTeacherHook``: teacher maps computed during training, with no offline pass."""
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS, MODELS

from ..engine import load_weights


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


@HOOKS.register_module()
class OnlineTeacherHook(Hook):
    """Label every training batch with a frozen teacher, instead of map files.

    Before each training iteration, runs a trained ``SaliencyTeacher`` on the batch's
    images (each augmented view as the student sees it) and puts its maps, scaled to a
    maximum of 1, on the data samples under ``key``: ``(V, H, W)`` per sample for
    multi-view batches, ``(H, W)`` otherwise. The student then reads them as it reads maps
    loaded from files. Differences from the offline ``tools/gen_saliency.py`` pass: the
    teacher sees the crop, not the whole image (so its center prior is the crop's center),
    and it costs a teacher forward pass per view and iteration.

    Args:
        teacher (str | dict): the teacher's config file (its ``model`` is used) or a model
            config dict.
        checkpoint (str): the teacher's checkpoint (from ``tools/train.py``).
        key (str): data-sample field to fill; the student's ``target_key``.
    """

    priority = 'NORMAL'

    def __init__(self, teacher: Union[str, dict], checkpoint: str,
                 key: str = 'saliency') -> None:
        if isinstance(teacher, str):
            if not osp.isfile(teacher):
                raise FileNotFoundError(f'OnlineTeacherHook: teacher config not found: {teacher}')
            teacher = Config.fromfile(teacher).model
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'OnlineTeacherHook: teacher checkpoint not found: '
                                    f'{checkpoint}; train one with tools/train.py on a '
                                    'configs/saliency_teacher config')
        self.teacher_cfg = teacher
        self.checkpoint = checkpoint
        self.key = key
        self.teacher: Optional[torch.nn.Module] = None

    def before_run(self, runner) -> None:
        """Build and load the frozen teacher on the student's device."""
        cfg = dict(self.teacher_cfg)
        # Its weights all come from the checkpoint; do not fetch ImageNet weights too.
        cfg['backbone'] = dict(cfg['backbone'], init_cfg=None)
        teacher = MODELS.build(cfg)
        # Strict: a checkpoint of another model fails here, naming its keys, instead of
        # labelling every batch with a random teacher.
        load_weights(teacher, self.checkpoint, logger=runner.logger)
        device = next(runner.model.parameters()).device
        self.teacher = teacher.to(device).eval().requires_grad_(False)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None) -> None:
        """Put the teacher's map of each view on its data sample."""
        views, multi_view = _views(data_batch['inputs'])
        maps = [self.teacher.saliency_maps(view) for view in views]  # V x (B, H, W)
        for i, sample in enumerate(data_batch['data_samples']):
            value = torch.stack([m[i] for m in maps]) if multi_view else maps[0][i]
            sample.set_field(value, self.key)
