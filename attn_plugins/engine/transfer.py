"""Point a detection or segmentation config at a pretraining checkpoint (transfer).

mmpretrain's benchmark scripts (``tools/benchmarks/mmdetection/mim_dist_train_c4.sh``, ...)
transfer a self-supervised backbone by overriding ``init_cfg`` on the command line: the
backbone, and for a Faster R-CNN C4 model also the shared res5 head of the RoI head, load the
checkpoint's ``backbone.*`` weights (``prefix='backbone.'``; the res5 head takes the
``layer4.*`` ones). :func:`set_pretrained` does the same on a loaded config, so
``tools/train.py CONFIG --pretrained CHECKPOINT`` works for any mmdet or mmseg config.

mmengine's ``Pretrained`` initialisation loads non-strictly: a checkpoint of another
architecture loads nothing and training starts from random weights after one warning. So
:func:`set_pretrained` first builds the backbone and compares its state dict with the
checkpoint's tensors under the prefix, by name and shape, and refuses a checkpoint that
covers less than ``min_match`` (:data:`MIN_PRETRAINED_MATCH`, 90%) of the backbone's tensors,
before anything is trained. The other modules that take the weights (a C4 detector's res5
head) are compared too, and a low share is logged as a warning: their own extra layers (the
head's extra norm) start fresh by design.
"""
import copy
import logging
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config, ConfigDict

from ..defaults import MIN_PRETRAINED_MATCH
from .checkpoint import checkpoint_state_dict  # noqa: F401  (tools import it from here)

# The modules of ``cfg.model`` that take pretrained weights, as dotted paths. The backbone
# is required; the others are set when the config has them.
PRETRAINED_MODULES = ('backbone', 'roi_head.shared_head')

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


def match_pretrained(module: torch.nn.Module, weights: Dict[str, torch.Tensor],
                     prefix: str) -> Tuple[List[str], List[str], List[str]]:
    """Compare a built module's state dict with checkpoint tensors, by name and shape.

    Args:
        module (nn.Module): The module that will take the weights (built, not initialised).
        weights (dict): Checkpoint key (with ``prefix``) to tensor.
        prefix (str): Prefix of the module's keys in ``weights``.

    Returns:
        tuple[list[str], list[str], list[str]]: The module's keys (``num_batches_tracked``
        left out) that the checkpoint fills by name and shape, those it lacks, and
        ``'key: checkpoint (...) vs model (...)'`` for those whose shape differs.
    """
    matched, missing, mismatched = [], [], []
    for key, value in module.state_dict().items():
        if key.endswith('num_batches_tracked'):
            continue  # a training counter that torchvision-style checkpoints do not hold
        stored = weights.get(prefix + key)
        if stored is None:
            missing.append(key)
        elif tuple(stored.shape) != tuple(value.shape):
            mismatched.append(f'{key}: checkpoint {tuple(stored.shape)} vs model '
                              f'{tuple(value.shape)}')
        else:
            matched.append(key)
    return matched, missing, mismatched


def check_pretrained(cfg: Config, path: str, weights: Dict[str, torch.Tensor], prefix: str,
                     checkpoint: str, min_match: float = MIN_PRETRAINED_MATCH,
                     required: bool = True) -> float:
    """Refuse a checkpoint that fills less than ``min_match`` of a module's tensors.

    Builds the module at ``path`` of ``cfg.model`` (without its ``init_cfg``, in the config's
    scope) and compares it with :func:`match_pretrained`.

    Args:
        cfg (Config): The training config.
        path (str): Dotted path of the module in ``cfg.model``, e.g. ``'backbone'``.
        weights (dict): The checkpoint's tensors under ``prefix``.
        prefix (str): Key prefix of those tensors.
        checkpoint (str): The checkpoint's file, for the message.
        min_match (float): Least share of the module's tensors that must match.
        required (bool): Raise below ``min_match`` (the backbone); False only logs a
            warning (modules with layers of their own that start fresh).

    Returns:
        float: The share that matched.

    Raises:
        ValueError: If ``required`` and the share is below ``min_match``; names the
            checkpoint, the share, and examples of missing and shape-mismatched keys.
    """
    from mmengine.logging import print_log
    from mmengine.registry import MODELS, DefaultScope

    module_cfg = copy.deepcopy(cfg.model)
    for name in path.split('.'):
        module_cfg = module_cfg[name]
    module_cfg.pop('init_cfg', None)
    module_cfg.pop('pretrained', None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        module = MODELS.build(module_cfg)
    matched, missing, mismatched = match_pretrained(module, weights, prefix)
    total = len(matched) + len(missing) + len(mismatched)
    share = len(matched) / max(total, 1)
    summary = (f'{len(matched)} of the {total} tensors of model.{path} '
               f'({module_cfg.get("type")}) match {checkpoint} under the prefix {prefix!r} '
               f'by name and shape ({100 * share:.1f}%)')
    if share < min_match and not required:
        print_log(f'--pretrained: only {summary}; the rest of model.{path} starts from its '
                  f'initialisation (missing: {", ".join(missing[:5])}'
                  + (', ...' if len(missing) > 5 else '') + ')', logger='current',
                  level=logging.WARNING)
        return share
    if share < min_match:
        examples = []
        if missing:
            examples.append(f'missing from the checkpoint: {", ".join(missing[:5])}'
                            + (', ...' if len(missing) > 5 else ''))
        if mismatched:
            examples.append(f'shape differs: {"; ".join(mismatched[:3])}'
                            + ('; ...' if len(mismatched) > 3 else ''))
        sample = sorted(weights)[:5]
        raise ValueError(
            f'--pretrained: only {summary}; at least {100 * min_match:.0f}% must match, so '
            f'this looks like a checkpoint of another architecture ({"; ".join(examples)}; '
            f'the checkpoint holds e.g. {", ".join(sample)}). Give a checkpoint of the same '
            'backbone, the right --pretrained-prefix, or, if a partial load is intended, a '
            'lower --pretrained-min-match.')
    print_log(f'--pretrained: {summary}', logger='current')
    return share


def set_pretrained(cfg: Config, checkpoint: str, prefix: str = 'backbone.',
                   min_match: float = MIN_PRETRAINED_MATCH) -> List[str]:
    """Make the backbone (and a C4 shared head) of ``cfg.model`` load ``checkpoint``.

    Each module of :data:`PRETRAINED_MODULES` present in ``cfg.model`` gets
    ``init_cfg=dict(type='Pretrained', checkpoint=checkpoint, prefix=prefix)`` in place of
    its own ``init_cfg``; ``pretrained`` keys (the deprecated way of mmdet and mmseg) are
    cleared, since those models refuse both at once. A local checkpoint is checked first
    (:func:`check_pretrained`): the backbone is built and must find at least ``min_match``
    of its tensors in the checkpoint by name and shape, so a checkpoint of another
    architecture fails here, before training, instead of loading nothing (a C4 res5 head is
    compared too, and only warned about). A URL
    (``torchvision://``, ``https://``, ...) is passed on to mmengine's loaders unchecked.

    Args:
        cfg (Config): The training config, changed in place.
        checkpoint (str): Path or URL of the pretraining checkpoint.
        prefix (str): Key prefix of the backbone weights in it; ``''`` takes the whole state
            dict (a slim backbone checkpoint). Defaults to ``'backbone.'``.
        min_match (float): Least share of the backbone's tensors the checkpoint must fill by
            name and shape. Defaults to :data:`MIN_PRETRAINED_MATCH` (0.9).

    Returns:
        list[str]: The config paths that were set, e.g.
        ``['model.backbone', 'model.roi_head.shared_head']``.

    Raises:
        ValueError: If ``cfg.model`` has no backbone, the checkpoint has no key under
            ``prefix``, or it fills less than ``min_match`` of the backbone's tensors.
        FileNotFoundError: If a local checkpoint does not exist.
    """
    model = cfg.get('model')
    if not isinstance(model, dict) or not isinstance(model.get('backbone'), dict):
        raise ValueError(
            f'--pretrained: the config {cfg.filename} has no model.backbone to load '
            'pretrained weights into; transfer needs a detector or segmentor config')
    if prefix and not prefix.endswith('.'):
        prefix += '.'
    if not 0 <= min_match <= 1:
        raise ValueError(f'--pretrained-min-match must be a share in [0, 1], got {min_match}')
    weights = None
    if '://' not in checkpoint:
        weights = weights_under(checkpoint_state_dict(checkpoint), prefix, checkpoint)
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
        if weights is not None and min_match > 0:
            check_pretrained(cfg, path, weights, prefix, checkpoint, min_match,
                             required=path == 'backbone')
        module.pop('pretrained', None)
        module.init_cfg = ConfigDict(init_cfg)
        done.append(f'model.{path}')
    return done
