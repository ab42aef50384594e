"""An on-disk cache of extracted features, keyed by what determines them.

Extracting features is the slow part of a frozen-feature evaluation; probing them is fast.
Each entry is one ``torch.save`` file named by a digest of its key: the checkpoint's
content hash (so a retrained or edited checkpoint at the same path is a new entry), the
encoder settings, the data (list-file hashes), the resolution and, for corrupted sets, the
corruption. Entries are written atomically (temporary file, then rename), so a killed run
leaves no half-written entry behind.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional, Union

import torch


def file_digest(path: str, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file's content, as hex.

    Args:
        path (str): The file.
        chunk_size (int): Bytes read at a time.

    Returns:
        str: 64 hex digits.

    Raises:
        FileNotFoundError: If ``path`` is not a file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'cannot hash {path}: no such file')
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk_size), b''):
            digest.update(block)
    return digest.hexdigest()


def key_digest(key: Dict) -> str:
    """A short stable digest of a JSON-serialisable key (dict order does not matter).

    Example:
        >>> key_digest(dict(a=1, b='x')) == key_digest(dict(b='x', a=1))
        True
    """
    text = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class FeatureCache:
    """Features on disk under ``root``, one file per key.

    Args:
        root (str): Folder of the entries (created on the first write).

    Example:
        >>> import tempfile, torch
        >>> cache = FeatureCache(tempfile.mkdtemp())
        >>> key = dict(checkpoint='abc', resolution=112)
        >>> cache.load(key) is None
        True
        >>> cache.save(key, dict(features=torch.ones(2, 3), labels=torch.tensor([0, 1])))
        >>> cache.load(key)['features'].shape
        torch.Size([2, 3])
    """

    def __init__(self, root: str) -> None:
        self.root = root

    def path(self, key: Dict) -> str:
        """The file of ``key``'s entry."""
        return osp.join(self.root, f'{key_digest(key)}.pt')

    def load(self, key: Dict) -> Optional[Dict[str, Union[torch.Tensor, str]]]:
        """The stored tensors (and strings) of ``key``, or None when there is no entry."""
        path = self.path(key)
        if not osp.isfile(path):
            return None
        entry = torch.load(path, map_location='cpu', weights_only=True)
        return entry['tensors']

    def save(self, key: Dict, tensors: Dict[str, Union[torch.Tensor, str]]) -> None:
        """Store ``tensors`` under ``key`` (the key is saved beside them, as JSON text).

        Args:
            key (dict): JSON-serialisable key.
            tensors (dict): Tensors, or strings (e.g. a JSON result), by name: what
                ``torch.load(..., weights_only=True)`` reads back.
        """
        os.makedirs(self.root, exist_ok=True)
        path = self.path(key)
        tmp = f'{path}.{os.getpid()}.tmp'
        torch.save(dict(key=json.dumps(key, sort_keys=True, default=str), tensors=tensors), tmp)
        os.replace(tmp, path)
