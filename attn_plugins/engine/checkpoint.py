"""Let torch's weights-only loader read mmengine's own checkpoints.

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
"""
import pickle
from typing import List

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
