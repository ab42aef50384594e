"""attn_plugins: human-like spatial attention for OpenMMLab pretraining and transfer.

``import attn_plugins`` (or ``custom_imports = dict(imports=['attn_plugins'])`` in a config)
registers every component into the OpenMMLab registries that configs look them up in.

The framework-free core (:mod:`attn_plugins.saliency`, :mod:`attn_plugins.attention` and the
pure-torch modules of each method) needs only torch; without mmpretrain installed, importing
this package registers nothing and the core stays usable.
"""
from importlib import import_module
from importlib.util import find_spec

from .version import __version__

__all__ = ['__version__']

# The OpenMMLab adapter modules; importing one registers its components.
ADAPTER_MODULES = (
    'data', 'engine', 'engine.loops', 'evaluation',              # shared machinery
    'teacher.models', 'teacher.hooks', 'teacher.transforms',     # teacher saliency targets
    'cast.model',                                                # CAST
    'atcon.classifier', 'atcon.datasets', 'atcon.loops', 'atcon.metrics',
    'atcon.sampler',                                             # ATCON
    'vars.backbones',                                            # VARS
)

if find_spec('mmpretrain') is not None:
    for _module in ADAPTER_MODULES:
        import_module(f'{__name__}.{_module}')
    del _module
