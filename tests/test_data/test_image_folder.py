"""ImageFolder: recursive scan of one or more folders, list files, clear errors."""
import numpy as np
import pytest
from mmcv import imwrite

from attn_plugins.data import ImageFolder


def make_images(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        imwrite(np.zeros((4, 4, 3), np.uint8), str(path))


def test_scans_several_folders_recursively_in_sorted_order(tmp_path):
    make_images(tmp_path / 'a', ['z.jpg', 'sub/b.png', 'x.JPG'])
    make_images(tmp_path / 'b', ['c.png'])
    (tmp_path / 'a' / 'notes.txt').write_text('not an image')
    dataset = ImageFolder(data_root=str(tmp_path), img_dirs=['a', 'b'])
    rel = [p['img_path'][len(str(tmp_path)) + 1:] for p in dataset]
    assert rel == ['a/x.JPG', 'a/z.jpg', 'a/sub/b.png', 'b/c.png']


def test_list_file_selects_images(tmp_path):
    make_images(tmp_path / 'imgs', ['1.png', '2.png', '3.png'])
    (tmp_path / 'split.txt').write_text('# held out\n3.png\n\n1.png\n')
    dataset = ImageFolder(data_root=str(tmp_path), img_dirs='imgs', ann_file='split.txt')
    assert [p['img_path'] for p in dataset] == [str(tmp_path / 'imgs/3.png'),
                                                str(tmp_path / 'imgs/1.png')]


def test_missing_and_empty_folders_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=f'image folder not found: {tmp_path}/nope'):
        ImageFolder(data_root=str(tmp_path), img_dirs='nope')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match=f'no images .* found under {tmp_path}/empty'):
        ImageFolder(data_root=str(tmp_path), img_dirs='empty')
    with pytest.raises(FileNotFoundError, match='list file not found: .*missing.txt'):
        ImageFolder(data_root=str(tmp_path), img_dirs='empty', ann_file='missing.txt')
