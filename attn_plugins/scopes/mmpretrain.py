"""Registers the plugin's components in mmpretrain's registries (and mmengine's root ones:
``ResumableEpochBasedTrainLoop``, ``ChannelsLastHook``). Imported by :mod:`attn_plugins.scopes`
when mmpretrain is first imported; import it directly to register eagerly."""
from importlib import import_module

# Importing an adapter module registers its components.
ADAPTER_MODULES = (
    'data', 'engine', 'engine.loops', 'engine.memory_format',
    'evaluation',                                                # shared machinery
    'guidance.losses', 'guidance.models',                        # attention-loss plugins
    'teacher.models', 'teacher.hooks', 'teacher.transforms',     # teacher saliency targets
    'atcon.classifier', 'atcon.datasets', 'atcon.loops', 'atcon.metrics',
    'atcon.sampler',                                             # ATCON
    'vars.backbones',                                            # VARS
)

for _module in ADAPTER_MODULES:
    import_module(f'attn_plugins.{_module}')
del _module
