"""attn_plugins: human-like spatial attention for OpenMMLab pretraining and transfer.

``import attn_plugins`` (or ``custom_imports = dict(imports=['attn_plugins'])`` in a config)
registers every component into the OpenMMLab registries that configs look them up in.

The framework-free core (:mod:`attn_plugins.saliency`, :mod:`attn_plugins.attention` and the
pure-torch modules of each method) needs only torch; without mmpretrain installed, importing
this package registers nothing and the core stays usable.
"""
from importlib.util import find_spec

from .version import __version__

__all__ = ['__version__']

if find_spec('mmpretrain') is not None:
    # Importing the adapter modules registers their components.
    from . import data, engine, evaluation  # noqa: F401
    from .vars import backbones  # noqa: F401
    from .cast import model  # noqa: F401
    from .atcon import classifier, datasets, loops, metrics, sampler  # noqa: F401
