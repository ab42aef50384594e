"""Unlabeled image folders, for self-supervised pretraining."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')


def find_images(folder: str, extensions: Sequence[str] = IMAGE_EXTENSIONS) -> List[str]:
    """Image files under ``folder`` (recursive), sorted for a reproducible order.

    Args:
        folder (str): Folder to scan.
        extensions (Sequence[str]): Lower-case file extensions that count as images.

    Returns:
        list[str]: Paths, each ``folder`` joined with the file's relative path.

    Raises:
        FileNotFoundError: If ``folder`` is not a directory.
        ValueError: If it holds no image.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(
            f'image folder not found: {folder} (cwd {os.getcwd()}); check the dataset '
            'path in the config, set ATTN_DATA_ROOT, or override it with --cfg-options')
    paths = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames.sort()
        paths.extend(osp.join(dirpath, name) for name in sorted(filenames)
                     if name.lower().endswith(tuple(extensions)))
    if not paths:
        raise ValueError(f'no images ({", ".join(extensions)}) found under {folder}')
    return paths


def read_list_file(path: str) -> List[str]:
    """Non-empty, non-comment lines of a split/list file, stripped."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'list file not found: {path}')
    with open(path) as f:
        lines = [line.strip() for line in f]
    entries = [line for line in lines if line and not line.startswith('#')]
    if not entries:
        raise ValueError(f'list file is empty: {path}')
    return entries


@DATASETS.register_module()
class ImageFolder(BaseDataset):
    """Unlabeled images from one or more folders, found recursively.

    Each sample is ``dict(img_path=...)``; the pipeline loads it (``LoadImageFromFile``).

    Args:
        data_root (str): Joined in front of ``img_dirs`` and ``ann_file``.
        img_dirs (str | Sequence[str]): Folder(s) to scan. Defaults to ``''`` (data_root).
        ann_file (str, optional): A list file of image paths relative to the first of
            ``img_dirs`` (one per line) to use instead of scanning.
        extensions (Sequence[str]): File extensions that count as images.
        **kwargs: ``pipeline``, ``test_mode``, ``lazy_init``, ... of mmengine's
            ``BaseDataset``.

    Example:
        >>> dataset = dict(type='ImageFolder', data_root='../shared/data/',
        ...                img_dirs=['bsds500/images', 'osie/images'], pipeline=[...])
    """

    METAINFO: dict = dict()

    def __init__(self,
                 data_root: str = '',
                 img_dirs: Union[str, Sequence[str]] = '',
                 ann_file: Optional[str] = None,
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 **kwargs) -> None:
        self.img_dirs = [img_dirs] if isinstance(img_dirs, str) else list(img_dirs)
        self.extensions = tuple(ext.lower() for ext in extensions)
        super().__init__(ann_file=ann_file or '', data_root=data_root, **kwargs)

    def _image_paths(self) -> List[str]:
        folders = [osp.join(self.data_root, d) for d in self.img_dirs]
        if self.ann_file:
            return [osp.join(folders[0], rel) for rel in read_list_file(self.ann_file)]
        return [path for folder in folders for path in find_images(folder, self.extensions)]

    def load_data_list(self) -> List[dict]:
        return [dict(img_path=path) for path in self._image_paths()]
