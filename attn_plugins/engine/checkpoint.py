"""Checkpoint reading: torch's weights-only loader for mmengine checkpoints, and one strict
loader of model weights for every inference tool.

**Weights-only loading.**
Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``, which refuses every class
that is not on an allow-list. mmengine 0.10.7 loads checkpoints with a plain ``torch.load``,
and its checkpoints hold a few non-tensor objects (the message hub's ``HistoryBuffer``, numpy
arrays and scalars in the logged history), so ``--resume`` and ``init_cfg=Pretrained`` fail on
them. We allow-list exactly those classes instead of turning weights-only loading off: a
checkpoint that names any other global is still refused.

One entry needs care: ``HistoryBuffer`` pickles its statistics methods (``HistoryBuffer.min``,
...) as ``getattr(HistoryBuffer, 'min')``. Allowing the builtin ``getattr`` would let a
crafted file walk from any allowed object to arbitrary code, so the unpickler gets
:func:`history_buffer_getattr` under that name instead, which resolves only those methods.

**Strict loading for inference** (:func:`load_weights`). mmengine's ``load_checkpoint`` is
non-strict by default: a checkpoint of another architecture loads nothing, logs one warning
and leaves random weights that a tool then uses as if trained. Every tool here that loads
weights for inference (``load_model`` of :mod:`.launch`, ``tools/gen_saliency.py``,
``tools/vis_attention.py``, ``tools/analysis/*``, ``OnlineTeacherHook``) goes through
:func:`load_weights` instead, which fails naming the file and the missing, unexpected and
shape-mismatched keys. What may differ (:data:`TOLERATED_KEYS`): only the parts inference
does not use, the data preprocessor's buffers (normalisation comes from the config) and
BatchNorm's ``num_batches_tracked`` counters (used only while training without momentum).
Everything else of the checkpoint's ``state_dict`` must match the built model by name and
shape; the other top-level entries of an mmengine checkpoint (``meta``, ``optimizer``,
``message_hub``, an EMA hook's ``ema_state_dict``) are not weights of the model and are not
read.
"""
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch


def history_buffer_getattr(obj: object, name: str) -> object:
    """``getattr`` restricted to the statistics methods of mmengine's ``HistoryBuffer``.

    Args:
        obj (object): Must be the ``HistoryBuffer`` class.
        name (str): A registered statistics method (``min``, ``max``, ``mean``, ...).

    Returns:
        The method.

    Raises:
        pickle.UnpicklingError: For anything else.
    """
    from mmengine.logging import HistoryBuffer

    known = {'min', 'max', 'mean', 'current', *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and isinstance(name, str) and name in known:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only HistoryBuffer statistics '
        'methods are allowed. Load it with weights_only=False only if you trust its source.')


def mmengine_checkpoint_globals() -> List[object]:
    """The classes and functions that mmengine training checkpoints pickle.

    Returns:
        list: Objects to pass to ``torch.serialization.add_safe_globals``.
    """
    from mmengine.logging import HistoryBuffer

    numpy_multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtype_classes = [type(np.dtype(name)) for name in (
        'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
        'float16', 'float32', 'float64')]
    return [
        HistoryBuffer,
        (history_buffer_getattr, 'builtins.getattr'),
        numpy_multiarray._reconstruct,
        numpy_multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
    ]


def allow_mmengine_checkpoints() -> None:
    """Add :func:`mmengine_checkpoint_globals` to torch's weights-only allow-list."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())


#: Regular expressions of state-dict keys that may be missing from a checkpoint or extra in
#: it without making it a mismatch: data-preprocessor buffers (inference takes normalisation
#: from the config) and BatchNorm's ``num_batches_tracked`` (a training-time counter).
TOLERATED_KEYS = (r'(^|\.)data_preprocessor\.', r'(^|\.)num_batches_tracked$')

# Keys named per kind in a mismatch message: enough to recognise the architecture.
_SAMPLE_KEYS = 5


def checkpoint_state_dict(checkpoint: str) -> Dict[str, object]:
    """The state dict of a checkpoint, read with torch's weights-only loader.

    Args:
        checkpoint (str): A local file or a URL mmengine's ``CheckpointLoader`` knows
            (``https://``, ``torchvision://``, ...): an mmengine checkpoint (weights under
            ``state_dict``) or a bare state dict. A leading ``module.`` (a checkpoint saved
            from a distributed wrapper) is removed from every key, as mmengine does.

    Returns:
        dict: Key to tensor (or other stored value), in the file's order.

    Raises:
        FileNotFoundError: If a local file does not exist.
        ValueError: If the file does not hold a dict.
    """
    from mmengine.runner import CheckpointLoader

    if '://' not in checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    loaded = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if not isinstance(loaded, dict):
        raise ValueError(f'{checkpoint} holds a {type(loaded).__name__}, not a checkpoint '
                         '(a dict with a state_dict, or a state dict)')
    state_dict = loaded.get('state_dict', loaded)
    revised = OrderedDict((re.sub(r'^module\.', '', key), value)
                          for key, value in state_dict.items())
    # BatchNorm & co. read their format version from the metadata while loading.
    revised._metadata = getattr(state_dict, '_metadata', OrderedDict())
    return revised


def _tolerated(key: str) -> bool:
    return any(re.search(pattern, key) for pattern in TOLERATED_KEYS)


def _sample(keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:_SAMPLE_KEYS])
    return shown + (', ...' if len(keys) > _SAMPLE_KEYS else '')


def load_weights(model: torch.nn.Module, checkpoint: str,
                 logger: Optional[object] = None) -> Dict[str, List[str]]:
    """Load a checkpoint into a built model strictly, for inference.

    Every tensor of the model must come from the checkpoint, and every tensor of the
    checkpoint must land in the model, with the same shape, except the keys of
    :data:`TOLERATED_KEYS`. The modules' own load hooks run as usual (e.g. a ViT resizing its
    position embedding), and shapes are compared after them.

    Args:
        model (nn.Module): The model, built from the config the checkpoint was trained with.
        checkpoint (str): Checkpoint file (or URL), see :func:`checkpoint_state_dict`.
        logger (MMLogger, optional): Where the one-line summary goes; the current mmengine
            logger by default.

    Returns:
        dict: ``loaded`` (model keys that took checkpoint tensors), ``tolerated_missing`` and
        ``tolerated_unexpected`` (keys of :data:`TOLERATED_KEYS` the model kept, or the
        checkpoint had in excess).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the checkpoint does not fit the model. The message names the file, the
            model class, and a sample of the missing, unexpected and shape-mismatched keys.
            The model may then be partly overwritten: do not use it.
    """
    from mmengine.logging import print_log

    state_dict = checkpoint_state_dict(checkpoint)
    model_keys = list(model.state_dict())
    shape_errors = []
    try:
        result = model.load_state_dict(state_dict, strict=False)
        missing, unexpected = list(result.missing_keys), list(result.unexpected_keys)
    except RuntimeError as err:
        # torch raises for tensors whose shapes differ (checked after the load hooks) before
        # it returns the missing and unexpected keys: compare the names here instead.
        shape_errors = [line.strip().rstrip('.') for line in str(err).splitlines()
                        if 'size mismatch' in line] or [str(err).strip()]
        missing = [key for key in model_keys if key not in state_dict]
        known = set(model_keys)
        unexpected = [key for key in state_dict if key not in known]
    bad_missing = [key for key in missing if not _tolerated(key)]
    bad_unexpected = [key for key in unexpected if not _tolerated(key)]
    name = type(model).__name__
    if bad_missing or bad_unexpected or shape_errors:
        problems = []
        if bad_missing:
            problems.append(f'{len(bad_missing)} of the model\'s {len(model_keys)} tensors are '
                            f'missing from the checkpoint (e.g. {_sample(bad_missing)})')
        if bad_unexpected:
            problems.append(f'{len(bad_unexpected)} of the checkpoint\'s {len(state_dict)} '
                            f'tensors are unknown to the model (e.g. {_sample(bad_unexpected)})')
        if shape_errors:
            problems.append(f'{len(shape_errors)} differ in shape ({"; ".join(shape_errors[:3])}'
                            + ('; ...)' if len(shape_errors) > 3 else ')'))
        raise ValueError(
            f'checkpoint {checkpoint} does not fit the {name} built from the config: '
            + '; '.join(problems) + '. Is it a checkpoint of another model? Give the config '
            'the checkpoint was trained with. (Only data-preprocessor buffers and BatchNorm '
            'num_batches_tracked counters may differ; every other tensor must match by name '
            'and shape.)')
    not_loaded = set(missing)
    loaded = [key for key in model_keys if key not in not_loaded]
    print_log(f'loaded {len(loaded)} tensors of {checkpoint} into the {name} (strict: names '
              'and shapes checked)', logger=logger or 'current')
    return dict(loaded=loaded, tolerated_missing=missing, tolerated_unexpected=unexpected)
