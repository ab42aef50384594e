"""Datasets of images paired with saliency maps or with human eye fixations."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger
from mmpretrain.registry import DATASETS

from .image_folder import IMAGE_EXTENSIONS, ImageFolder, find_images, read_list_file

SALIENCY_EXTENSIONS = ('.png', '.npy', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def _path_below(path: str, folder: str) -> str:
    """``path`` below ``folder`` without its extension: the key of the tree layout."""
    return osp.splitext(osp.relpath(path, folder))[0]


def index_saliency_maps(folder: str, tree: bool = False) -> Dict[str, str]:
    """Saliency maps in ``folder`` by name without extension: ``{'100075': '.../100075.png'}``.

    Args:
        folder (str): The maps' folder.
        tree (bool): Index every sub-folder too, keyed by the path below ``folder``
            (``'accordion/image_0001'``); by default only the maps directly in ``folder``,
            keyed by stem.

    Raises:
        FileNotFoundError: If ``folder`` is not a directory.
        ValueError: If it holds no map, or two maps share a key.
    """
    index: Dict[str, str] = {}
    for path in find_images(folder, SALIENCY_EXTENSIONS):
        if not tree and osp.dirname(path) != folder.rstrip(os.sep):
            continue  # maps are matched by stem in this folder only
        key = _path_below(path, folder) if tree else _stem(path)
        if key in index:
            raise ValueError(f'two saliency maps for {key!r}: {index[key]} and {path}')
        index[key] = path
    return index


@DATASETS.register_module()
class SaliencyImageFolder(ImageFolder):
    """Images paired with saliency maps that share their file stem (or their path).

    ``images/train/100075.jpg`` goes with ``<saliency_dir>/100075.png`` (8-bit image, divided
    by 255) or ``100075.npy`` (float). With ``saliency_layout='tree'`` the maps mirror the
    image folder instead: ``<img_dir>/accordion/image_0001.jpg`` goes with
    ``<saliency_dir>/accordion/image_0001.png`` (``tools/gen_saliency.py --layout tree``), for
    folders whose file names repeat across sub-folders. Each sample is
    ``dict(img_path=..., saliency_path=...)``; ``LoadSaliencyMap`` reads the map.

    Args:
        data_root (str): Joined in front of every folder and the list file.
        img_dirs (str | Sequence[str]): Image folder(s), scanned recursively.
        saliency_dir (str): Folder of maps, one per image stem (not recursive), or in
            sub-folders with ``saliency_layout='tree'``; an absolute path is kept as it is, a
            relative one joined to ``data_root``.
        ann_file (str, optional): List file of image paths relative to ``img_dirs[0]``.
        missing_saliency (str): ``'error'`` (default): an image without a map is an error
            naming it; ``'skip'``: such images are left out (the count is logged), e.g. BSDS500
            images of which only 300 have SOD masks.
        saliency_layout (str): ``'stem'`` (default) or ``'tree'`` (maps in sub-folders, by
            the image's path below its image folder).
        extensions (Sequence[str]): Image extensions.
        **kwargs: ``pipeline``, ``test_mode``, ... of mmengine's ``BaseDataset``.
    """

    def __init__(self,
                 data_root: str = '',
                 img_dirs: Union[str, Sequence[str]] = '',
                 saliency_dir: str = 'saliency',
                 ann_file: Optional[str] = None,
                 missing_saliency: str = 'error',
                 saliency_layout: str = 'stem',
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 **kwargs) -> None:
        if missing_saliency not in ('error', 'skip'):
            raise ValueError(f"missing_saliency must be 'error' or 'skip', got "
                             f'{missing_saliency!r}')
        if saliency_layout not in ('stem', 'tree'):
            raise ValueError(f"saliency_layout must be 'stem' or 'tree', got "
                             f'{saliency_layout!r}')
        self.saliency_dir = saliency_dir
        self.missing_saliency = missing_saliency
        self.saliency_layout = saliency_layout
        super().__init__(data_root=data_root, img_dirs=img_dirs, ann_file=ann_file,
                         extensions=extensions, **kwargs)

    def _map_key(self, img_path: str, folders: Sequence[str]) -> str:
        """The index key of an image: its stem, or its path below its image folder."""
        if self.saliency_layout == 'stem':
            return _stem(img_path)
        folder = next(f for f in folders if img_path.startswith(f.rstrip(os.sep) + os.sep))
        return _path_below(img_path, folder)

    def load_data_list(self) -> List[dict]:
        maps_dir = osp.join(self.data_root, self.saliency_dir)
        index = index_saliency_maps(maps_dir, tree=self.saliency_layout == 'tree')
        folders = [osp.join(self.data_root, d) for d in self.img_dirs]
        data_list, skipped = [], []
        for img_path in self._image_paths():
            key = self._map_key(img_path, folders)
            saliency_path = index.get(key)
            if saliency_path is None:
                if self.missing_saliency == 'error':
                    raise FileNotFoundError(
                        f'no saliency map for {img_path} in {maps_dir} (expected {key}.png or '
                        '.npy); pass missing_saliency="skip" to leave such images out')
                skipped.append(img_path)
                continue
            data_list.append(dict(img_path=img_path, saliency_path=saliency_path))
        if skipped:
            MMLogger.get_current_instance().info(
                f'{type(self).__name__}: left out {len(skipped)} images without a saliency map')
        if not data_list:
            raise ValueError(f'no image under {self.img_dirs} has a saliency map in '
                             f'{self.saliency_dir}')
        return data_list


class FixationDataset(BaseDataset):
    """Base of the eye-fixation datasets: images with human fixation coordinates.

    Each sample is ``dict(img_path=..., fixation_points=(N, 2) float32)``, points ``(x, y)``
    in 0-based pixels of the original image. ``FixationsToDensity`` turns them into a density;
    ``PackSaliencyInputs`` rasterises the binary fixation map.

    Subclasses implement :meth:`load_fixations` for one annotation format.

    Args:
        data_root (str): Dataset folder.
        img_dir (str): Image folder, relative to ``data_root``.
        ann_file (str, optional): List file of image file names to use (a split).
        split (str, optional): ``'train'`` or ``'val'`` for a fixed held-out split: images
            sorted by name, the last ``num_val`` held out. ``None``: every image.
        num_val (int): Size of the held-out split.
        **kwargs: ``pipeline``, ``test_mode``, ... of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = dict()

    def __init__(self, data_root: str = '', img_dir: str = 'images',
                 ann_file: Optional[str] = None, split: Optional[str] = None,
                 num_val: int = 100, **kwargs) -> None:
        if split not in (None, 'train', 'val'):
            raise ValueError(f"split must be None, 'train' or 'val', got {split!r}")
        self.img_dir = img_dir
        self.split = split
        self.num_val = num_val
        super().__init__(ann_file=ann_file or '', data_root=data_root, **kwargs)

    def load_fixations(self) -> Dict[str, np.ndarray]:
        """Map image file name (relative to ``img_dir``) -> (N, 2) float32 0-based (x, y)."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        fixations = self.load_fixations()
        names = sorted(fixations)
        if self.ann_file:
            wanted = read_list_file(self.ann_file)
            unknown = [n for n in wanted if n not in fixations]
            if unknown:
                raise ValueError(f'{self.ann_file} lists images without fixations: '
                                 f'{unknown[:5]}')
            names = wanted
        if self.split is not None:
            if not 0 < self.num_val < len(names):
                raise ValueError(f'num_val={self.num_val} must be between 1 and '
                                 f'{len(names) - 1} for {len(names)} images')
            names = names[-self.num_val:] if self.split == 'val' else names[:-self.num_val]
        folder = osp.join(self.data_root, self.img_dir)
        data_list = []
        for name in names:
            img_path = osp.join(folder, name)
            if not osp.isfile(img_path):
                raise FileNotFoundError(f'image with fixations not found: {img_path}')
            data_list.append(dict(img_path=img_path, fixation_points=fixations[name]))
        return data_list


def _points(x, y, one_based: bool) -> np.ndarray:
    points = np.stack([np.asarray(x, np.float32).ravel(), np.asarray(y, np.float32).ravel()], 1)
    return points - 1 if one_based else points


@DATASETS.register_module()
class OSIEFixations(FixationDataset):
    """OSIE (Xu et al., JoV 2014): 700 images at 800x600, fixations of 15 subjects each.

    Reads ``fixations.mat``: a struct array with fields ``img`` and ``subjects`` (each with
    ``fix_x``, ``fix_y`` in 1-based pixels). ``split='val'`` holds out images 1601-1700.

    Args:
        fixations_file (str): The .mat file, relative to ``data_root``.
        **kwargs: See :class:`FixationDataset`.
    """

    def __init__(self, fixations_file: str = 'fixations.mat', **kwargs) -> None:
        self.fixations_file = fixations_file
        super().__init__(**kwargs)

    def load_fixations(self) -> Dict[str, np.ndarray]:
        from scipy.io import loadmat

        path = osp.join(self.data_root, self.fixations_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'OSIE fixations file not found: {path}')
        try:
            entries = loadmat(path, squeeze_me=True, struct_as_record=False)['fixations']
        except (ValueError, KeyError, OSError) as err:
            raise ValueError(f'cannot read OSIE fixations from {path}: {err}') from err
        fixations = {}
        for entry in np.atleast_1d(entries):
            subjects = np.atleast_1d(entry.subjects)
            fixations[str(entry.img)] = np.concatenate(
                [_points(s.fix_x, s.fix_y, one_based=True) for s in subjects])
        return fixations


@DATASETS.register_module()
class SceneSaliencyFixations(FixationDataset):
    """Scene saliency dataset (Liang, Jiang, Liang, Zhao; NUS VIP 2015): 500 SUN2012 scenes.

    Reads ``fixations.mat``: a 500 x observers cell array ``fixations``, row ``r`` for the
    ``r``-th image of ``img_dir`` in file-name order, each cell an ``(N, 4)`` array
    ``[y (row), x (column), onset s, duration s]`` in 1-based pixels of the stored image
    (some cells are empty). Every observer's fixations of an image are pooled. Images vary in
    size (311 of them 256x256, others up to 1600x1200). ``split='val'`` holds out the last
    100 images by name (401-500).

    Args:
        fixations_file (str): The .mat file, relative to ``data_root``.
        img_dir (str): Image folder, relative to ``data_root``. Defaults to ``'stimuli'``.
        **kwargs: See :class:`FixationDataset`.
    """

    def __init__(self, fixations_file: str = 'fixations.mat', img_dir: str = 'stimuli',
                 **kwargs) -> None:
        self.fixations_file = fixations_file
        super().__init__(img_dir=img_dir, **kwargs)

    def load_fixations(self) -> Dict[str, np.ndarray]:
        from scipy.io import loadmat

        path = osp.join(self.data_root, self.fixations_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'Scene saliency fixations file not found: {path}')
        try:
            cells = loadmat(path)['fixations']
        except (ValueError, KeyError, OSError) as err:
            raise ValueError(f'cannot read Scene saliency fixations from {path}: {err}') from err
        img_folder = osp.join(self.data_root, self.img_dir)
        names = sorted(osp.relpath(p, img_folder) for p in find_images(img_folder))
        if cells.ndim != 2 or cells.shape[0] != len(names):
            raise ValueError(f'{path} holds fixations for {cells.shape[0]} images but '
                             f'{img_folder} has {len(names)}: rows are matched to images in '
                             'file-name order, so both must list the same images')
        fixations = {}
        for name, row in zip(names, cells):
            observers = [np.asarray(cell, np.float32).reshape(-1, 4) for cell in row
                         if np.size(cell)]
            rows_cols = np.concatenate(observers) if observers else np.zeros((0, 4), np.float32)
            fixations[name] = _points(rows_cols[:, 1], rows_cols[:, 0], one_based=True)
        return fixations


@DATASETS.register_module()
class SALICONFixations(FixationDataset):
    """Fixations in the SALICON JSON format (``fixations_{train,val}2014.json``).

    The file holds ``images`` (``id``, ``file_name``) and ``annotations`` (``image_id``,
    ``fixations``: a list of 1-based ``[row, col]``); all workers' fixations of an image are
    pooled.

    Args:
        fixations_file (str): The JSON file, relative to ``data_root``.
        **kwargs: See :class:`FixationDataset`.
    """

    def __init__(self, fixations_file: str = 'fixations_train2014.json', **kwargs) -> None:
        self.fixations_file = fixations_file
        super().__init__(**kwargs)

    def load_fixations(self) -> Dict[str, np.ndarray]:
        path = osp.join(self.data_root, self.fixations_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'SALICON fixations file not found: {path}')
        with open(path) as f:
            try:
                content = json.load(f)
                names = {image['id']: image['file_name'] for image in content['images']}
                annotations = content['annotations']
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f'{path} is not a SALICON fixations file: {err}') from err
        pooled: Dict[str, List[np.ndarray]] = {}
        for ann in annotations:
            rows_cols = np.asarray(ann['fixations'], np.float32).reshape(-1, 2)
            pooled.setdefault(names[ann['image_id']], []).append(
                _points(rows_cols[:, 1], rows_cols[:, 0], one_based=True))
        return {name: np.concatenate(points) for name, points in pooled.items()}


@DATASETS.register_module()
class FixationMapFolder(FixationDataset):
    """MIT-style fixation maps: a binary image per image, nonzero at fixated pixels.

    ``<img_dir>/<stem>.jpeg`` goes with ``<fixation_dir>/<stem><fixation_suffix>`` (MIT1003:
    ``ALLFIXATIONMAPS/<stem>_fixPts.jpg``). JPEG-compressed maps are thresholded at 127.

    Args:
        fixation_dir (str): Folder of fixation maps, relative to ``data_root``.
        fixation_suffix (str): What follows the image stem in a map's file name.
        **kwargs: See :class:`FixationDataset`.
    """

    def __init__(self, fixation_dir: str = 'fixations',
                 fixation_suffix: str = '_fixPts.jpg', **kwargs) -> None:
        self.fixation_dir = fixation_dir
        self.fixation_suffix = fixation_suffix
        super().__init__(**kwargs)

    def load_fixations(self) -> Dict[str, np.ndarray]:
        img_folder = osp.join(self.data_root, self.img_dir)
        map_folder = osp.join(self.data_root, self.fixation_dir)
        fixations = {}
        for img_path in find_images(img_folder):
            name = osp.relpath(img_path, img_folder)
            map_path = osp.join(map_folder, _stem(img_path) + self.fixation_suffix)
            fixation_map = mmcv.imread(map_path, flag='grayscale') \
                if osp.isfile(map_path) else None
            if fixation_map is None:
                raise FileNotFoundError(f'fixation map for {img_path} missing or unreadable: '
                                        f'{map_path}')
            rows, cols = np.nonzero(fixation_map > 127)
            fixations[name] = _points(cols, rows, one_based=False)
        return fixations

