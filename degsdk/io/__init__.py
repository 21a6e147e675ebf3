"""Image files: reading, atomic writing, folders and HR/LR pairs."""

from ._atomic import atomic_path, staged_folder, write_atomic, write_text_atomic
from ._folders import ImagePair, find_pairs, list_images, pair_dirs
from ._image import READ_EXTENSIONS, image_size, read_image, write_image

__all__ = [
    "READ_EXTENSIONS",
    "ImagePair",
    "atomic_path",
    "find_pairs",
    "image_size",
    "list_images",
    "pair_dirs",
    "read_image",
    "staged_folder",
    "write_atomic",
    "write_image",
    "write_text_atomic",
]
