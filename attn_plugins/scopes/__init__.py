"""Registration per OpenMMLab scope, on first use.

``import attn_plugins`` loads no OpenMMLab code. It installs an import hook instead: when a
scope's package (``mmpretrain``, ``mmdet``, ``mmseg``) is first imported, the hook adds this
package's registration module for that scope (:mod:`.mmpretrain`, :mod:`.mmdet`,
:mod:`.mmseg`) to the import locations of the scope's registries, which mmengine imports on
the first lookup in them — the mechanism OpenMMLab codebases use for their own modules. So
``custom_imports = dict(imports=['attn_plugins'])`` serves configs of every scope, a
pure-torch user of :mod:`attn_plugins.saliency` never pays for mmpretrain, and an mmpretrain
config never loads mmdet or mmseg. A scope already imported when ``attn_plugins`` is imported
is registered right away.

The registration modules can also be imported directly, e.g.
``custom_imports = dict(imports=['attn_plugins.scopes.mmdet'])``.
"""
import importlib
import importlib.abc
import sys
from typing import Optional

#: scope package -> the module of this package that registers the plugin's components there
SCOPE_MODULES = {
    'mmpretrain': f'{__name__}.mmpretrain',
    'mmdet': f'{__name__}.mmdet',
    'mmseg': f'{__name__}.mmseg',
}


def register_scope(scope: str) -> None:
    """Register the plugin's components in ``scope`` now (a no-op when already done).

    Args:
        scope (str): A key of :data:`SCOPE_MODULES`.
    """
    importlib.import_module(SCOPE_MODULES[scope])


def attach_to_registries(scope: str) -> None:
    """Make the first lookup in any registry of ``scope`` register the plugin's components.

    Registering then, rather than when the scope's package is imported, keeps the adapter
    imports out of import cycles: an adapter module may be the one importing the scope.

    Args:
        scope (str): A key of :data:`SCOPE_MODULES`; its package must be importable.
    """
    from mmengine.registry import Registry

    registries = importlib.import_module(f'{scope}.registry')
    for registry in vars(registries).values():
        if isinstance(registry, Registry) and registry.scope == scope:
            # mmengine keeps a registry's import locations in `_locations` and imports them
            # once, on the first `get`; re-arm that for a registry already looked up in.
            if SCOPE_MODULES[scope] not in registry._locations:
                registry._locations.append(SCOPE_MODULES[scope])
                registry._imported = False


class _AttachingLoader:
    """Proxy of a scope package's loader that attaches the scope's registration after the
    package ran. Every other attribute (resource readers, ``get_filename``, ...) is the
    wrapped loader's."""

    def __init__(self, loader, scope: str) -> None:
        self._loader = loader
        self._scope = scope

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        attach_to_registries(self._scope)


class ScopeImportHook(importlib.abc.MetaPathFinder):
    """Meta-path finder that hands each scope package an :class:`_AttachingLoader`."""

    def find_spec(self, fullname: str, path=None, target=None) -> Optional[object]:
        if fullname not in SCOPE_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
            spec.loader = _AttachingLoader(spec.loader, fullname)
        return spec


def install() -> None:
    """Install the hook (once) and register the scopes whose package is already imported."""
    if not any(isinstance(finder, ScopeImportHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, ScopeImportHook())
    for scope in SCOPE_MODULES:
        if scope in sys.modules:
            register_scope(scope)
