"""attn_plugins: human-like spatial attention for OpenMMLab pretraining and transfer.

``import attn_plugins`` (or ``custom_imports = dict(imports=['attn_plugins'])`` in a config)
loads no OpenMMLab code: it installs a hook (:mod:`attn_plugins.scopes`) that registers the
plugin's components in the registries of mmpretrain, mmdet or mmseg when that package is
first imported, which mmengine does as soon as a config of that scope builds anything.

The framework-free core (:mod:`attn_plugins.saliency`, :mod:`attn_plugins.attention`,
:mod:`attn_plugins.probes`, :mod:`attn_plugins.vars` and the pure-torch modules of each
method) needs only torch, numpy and scipy.
"""
from . import scopes
from .version import __version__

scopes.install()

__all__ = ['__version__']
