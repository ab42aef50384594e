"""Point a detection or segmentation config at a pretraining checkpoint (transfer).

mmpretrain's benchmark scripts (``tools/benchmarks/mmdetection/mim_dist_train_c4.sh``, ...)
transfer a self-supervised backbone by overriding ``init_cfg`` on the command line: the
backbone, and for a Faster R-CNN C4 model also the shared res5 head of the RoI head, load the
checkpoint's ``backbone.*`` weights (``prefix='backbone.'``; the res5 head takes the
``layer4.*`` ones). :func:`set_pretrained` does the same on a loaded config, so
``tools/train.py CONFIG --pretrained CHECKPOINT`` works for any mmdet or mmseg config.
"""
import argparse
import os.path as osp
from collections import OrderedDict
from typing import Dict, List

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner import CheckpointLoader

# The modules of ``cfg.model`` that take pretrained weights, as dotted paths. The backbone
# is required; the others are set when the config has them.
PRETRAINED_MODULES = ('backbone', 'roi_head.shared_head')


def add_transfer_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--pretrained`` and ``--pretrained-prefix`` to a training tool's parser."""
    parser.add_argument(
        '--pretrained', metavar='CHECKPOINT',
        help='transfer: initialise the backbone (and the shared res5 head of a C4 detector) '
        'from the weights under --pretrained-prefix in CHECKPOINT, e.g. a MoCo or CAST '
        'pretraining checkpoint')
    parser.add_argument(
        '--pretrained-prefix', default='backbone.', metavar='PREFIX',
        help="key prefix of the backbone weights in CHECKPOINT (default: 'backbone.'; "
        "'' for a slim checkpoint from tools/export_backbone.py)")


def checkpoint_state_dict(checkpoint: str) -> Dict[str, object]:
    """The state dict of a local checkpoint file, read with torch's weights-only loader.

    Args:
        checkpoint (str): An mmengine checkpoint (weights under ``state_dict``) or a bare
            state dict.

    Returns:
        dict: Key to tensor (or other stored value).

    Raises:
        FileNotFoundError: If the file does not exist.
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    loaded = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    return loaded.get('state_dict', loaded)


def weights_under(state_dict: Dict[str, object], prefix: str,
                  source: str) -> 'OrderedDict[str, torch.Tensor]':
    """The tensors of ``state_dict`` whose key starts with ``prefix``, keys unchanged.

    Args:
        state_dict (dict): Key to value.
        prefix (str): Key prefix, e.g. ``'backbone.'``; ``''`` selects every tensor.
        source (str): Where ``state_dict`` came from, for the error message.

    Returns:
        OrderedDict[str, Tensor]: The selected tensors, in state-dict order.

    Raises:
        ValueError: If no tensor is under ``prefix``.
    """
    selected = OrderedDict((key, value) for key, value in state_dict.items()
                           if key.startswith(prefix) and isinstance(value, torch.Tensor))
    if not selected:
        heads = sorted({key.split('.', 1)[0] for key in state_dict})
        raise ValueError(f'{source} has no weights under the prefix {prefix!r} (its keys '
                         f'start with {heads}); give the prefix of the backbone weights')
    return selected


def set_pretrained(cfg: Config, checkpoint: str, prefix: str = 'backbone.') -> List[str]:
    """Make the backbone (and a C4 shared head) of ``cfg.model`` load ``checkpoint``.

    Each module of :data:`PRETRAINED_MODULES` present in ``cfg.model`` gets
    ``init_cfg=dict(type='Pretrained', checkpoint=checkpoint, prefix=prefix)`` in place of
    its own ``init_cfg``; ``pretrained`` keys (the deprecated way of mmdet and mmseg) are
    cleared, since those models refuse both at once. A local checkpoint is checked to hold
    weights under ``prefix``; a URL (``torchvision://``, ``https://``, ...) is passed on.

    Args:
        cfg (Config): The training config, changed in place.
        checkpoint (str): Path or URL of the pretraining checkpoint.
        prefix (str): Key prefix of the backbone weights in it; ``''`` takes the whole state
            dict (a slim backbone checkpoint). Defaults to ``'backbone.'``.

    Returns:
        list[str]: The config paths that were set, e.g.
        ``['model.backbone', 'model.roi_head.shared_head']``.

    Raises:
        ValueError: If ``cfg.model`` has no backbone, or the checkpoint has no key under
            ``prefix``.
        FileNotFoundError: If a local checkpoint does not exist.
    """
    model = cfg.get('model')
    if not isinstance(model, dict) or not isinstance(model.get('backbone'), dict):
        raise ValueError(
            f'--pretrained: the config {cfg.filename} has no model.backbone to load '
            'pretrained weights into; transfer needs a detector or segmentor config')
    if prefix and not prefix.endswith('.'):
        prefix += '.'
    if '://' not in checkpoint:
        weights_under(checkpoint_state_dict(checkpoint), prefix, checkpoint)
    init_cfg = dict(type='Pretrained', checkpoint=checkpoint)
    if prefix:
        init_cfg['prefix'] = prefix
    if model.get('pretrained') is not None:
        model.pretrained = None
    done = []
    for path in PRETRAINED_MODULES:
        module = model
        for name in path.split('.'):
            module = module.get(name) if isinstance(module, dict) else None
        if not isinstance(module, dict):
            continue
        module.pop('pretrained', None)
        module.init_cfg = ConfigDict(init_cfg)
        done.append(f'model.{path}')
    return done
