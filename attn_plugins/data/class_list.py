"""Single-label images listed by path, the class read from each path's folder."""
import os
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.logging import print_log
from mmpretrain.datasets import CustomDataset
from mmpretrain.registry import DATASETS

from .image_folder import read_list_file


@DATASETS.register_module()
class ClassFolderList(CustomDataset):
    """mmpretrain's ``CustomDataset`` for split lists of ``<class>/<file>`` paths.

    ``CustomDataset`` reads an ``ann_file`` only as ``<path> <label index>`` lines, and
    without one it scans every folder (no split, every folder a class). Published split
    files of folder-per-class datasets (Caltech-101's ``train.txt`` / ``test.txt``,
    Caltech-256, Oxford flowers in folders, ...) list paths only, the class being the
    folder. This subclass reads such a list and labels each path by its first folder.

    The class list is the sorted folders under the image prefix minus ``exclude_classes``
    (or ``classes`` when given), never the folders a list happens to hold, so a train and a
    test list of the same root always share one class indexing. Lines under an excluded
    folder are dropped (Caltech-101's protocol leaves out ``BACKGROUND_Google``).

    Args:
        ann_file (str): The list file, one path per line relative to the image prefix;
            relative to ``data_root`` unless absolute.
        classes (Sequence[str], optional): Class names in label order (folder names).
        exclude_classes (Sequence[str]): Folders that are no class. Defaults to none.
        **kwargs: ``data_root``, ``data_prefix``, ``pipeline``, ``test_mode``, ... of
            ``CustomDataset``.

    Example:
        >>> dataset = dict(type='ClassFolderList', data_root='../shared/data/caltech101',
        ...                data_prefix='images', ann_file='train.txt',
        ...                exclude_classes=['BACKGROUND_Google'], pipeline=[...])
    """

    def __init__(self, ann_file: str, classes: Optional[Sequence[str]] = None,
                 exclude_classes: Sequence[str] = (), **kwargs) -> None:
        if not ann_file:
            raise ValueError('ClassFolderList needs an ann_file listing <class>/<file> paths')
        self.exclude_classes = tuple(exclude_classes)
        self.given_classes = None if classes is None else tuple(classes)
        super().__init__(ann_file=ann_file, **kwargs)

    def _class_names(self) -> List[str]:
        if self.given_classes is not None:
            return list(self.given_classes)
        if not osp.isdir(self.img_prefix):
            raise FileNotFoundError(f'ClassFolderList: image folder not found: '
                                    f'{self.img_prefix}; check data_root / data_prefix')
        folders = sorted(entry.name for entry in os.scandir(self.img_prefix)
                         if entry.is_dir() and entry.name not in self.exclude_classes)
        if not folders:
            raise ValueError(f'ClassFolderList: no class folder under {self.img_prefix}')
        return folders

    def load_data_list(self) -> List[dict]:
        classes = self._class_names()
        self._metainfo['classes'] = tuple(classes)
        index = {name: i for i, name in enumerate(classes)}
        data_list, dropped = [], 0
        for line in read_list_file(self.ann_file):
            path = line.split()[0]
            folder = path.replace('\\', '/').split('/', 1)[0]
            if folder in self.exclude_classes:
                dropped += 1
                continue
            if folder not in index or '/' not in path:
                raise ValueError(f'ClassFolderList: {self.ann_file} lists {path!r}, whose '
                                 f'folder {folder!r} is not one of the {len(classes)} classes; '
                                 'list paths as <class folder>/<file>, or add the folder to '
                                 'exclude_classes')
            data_list.append(dict(img_path=osp.join(self.img_prefix, path),
                                  gt_label=index[folder]))
        if dropped:
            print_log(f'ClassFolderList: {dropped} images of {self.ann_file} under '
                      f'{", ".join(self.exclude_classes)} left out', logger='current')
        return data_list
