"""A photo is accepted only when it is a real JPEG, fully decodable, of the required size.

`Image.verify()` misses a truncated JPEG; a full `load()` does not. The pixel ceiling is
lowered from Pillow's default and its bomb warning is an error, so a small file claiming a
huge picture is refused before it is decoded.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings

from admissions.documents.refusals import Refusal, RefusalCode

if TYPE_CHECKING:
    from PIL import Image

DEFAULT_MAX_PIXELS = 40_000_000  # a 40-megapixel photo; far above what any ID photo needs
ORIENTATION_TAG = 0x0112
QUARTER_TURNS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
_DECODE_LOCK = threading.Lock()


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int


def inspect_jpeg(stream: IO[bytes], *, min_width: int | None, min_height: int | None) -> ImageFacts:
    """Facts about a JPEG that passes every check; raises `Refusal` naming the failure."""
    # Pillow weighs in a web process: loaded by the first image checked.
    from PIL import Image, UnidentifiedImageError

    max_pixels = int(getattr(settings, "DOCUMENTS_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
    # Pillow reads its ceiling from the module; every caller here sets the same value.
    Image.MAX_IMAGE_PIXELS = max_pixels
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream, formats=["JPEG"]) as image:
                width, height = _oriented_size(image)
                _check_size(width, height, min_width, min_height)
                _load_fully(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refusal(
                RefusalCode.IMAGE_TOO_LARGE, max_megapixels=max(1, max_pixels // 1_000_000)
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise Refusal(RefusalCode.IMAGE_UNREADABLE) from None
    return ImageFacts(width=width, height=height)


def _load_fully(image: Image.Image) -> None:
    """Decode every pixel, failing on a truncated file whatever the process-wide setting.

    WeasyPrint sets `ImageFile.LOAD_TRUNCATED_IMAGES` for the whole process when imported
    (the bundle summary imports it), which makes Pillow fill a cut-off JPEG with grey
    instead of failing; the lock keeps concurrent checks from restoring it under each other.
    """
    from PIL import ImageFile

    with _DECODE_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_size(width: int, height: int, min_width: int | None, min_height: int | None) -> None:
    if (min_width and width < min_width) or (min_height and height < min_height):
        raise Refusal(
            RefusalCode.IMAGE_TOO_SMALL,
            width=width,
            height=height,
            min_width=min_width or 1,
            min_height=min_height or 1,
        )


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    """The size as the photo is shown: a portrait shot stored sideways counts as portrait."""
    width, height = image.size
    try:
        orientation = image.getexif().get(ORIENTATION_TAG)
    except (OSError, ValueError, SyntaxError):
        orientation = None
    if orientation in QUARTER_TURNS:
        return height, width
    return width, height
