"""Output frame sizes for each aspect ratio and resolution.

480p and 720p are the pixel table in EvoLink's document (shared/seeds/004, "Pixel values per resolution"),
which is ByteDance's own Seedance table. No provider document gives 1080p pixels: the 1080p row is the studio's
own, the same ratios at 1080 px on the short side for 16:9 and 9:16 and about 1.5 times the 720p sizes for the
others (all even, as H.264 with yuv420p needs).
"""

from __future__ import annotations

import math

ASPECT_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
RESOLUTIONS = ("480p", "720p", "1080p")

OUTPUT_SIZES: dict[str, dict[str, tuple[int, int]]] = {
    "480p": {
        "16:9": (864, 496),
        "4:3": (752, 560),
        "1:1": (640, 640),
        "3:4": (560, 752),
        "9:16": (496, 864),
        "21:9": (992, 432),
    },
    "720p": {
        "16:9": (1280, 720),
        "4:3": (1112, 834),
        "1:1": (960, 960),
        "3:4": (834, 1112),
        "9:16": (720, 1280),
        "21:9": (1470, 630),
    },
    "1080p": {
        "16:9": (1920, 1080),
        "4:3": (1664, 1248),
        "1:1": (1440, 1440),
        "3:4": (1248, 1664),
        "9:16": (1080, 1920),
        "21:9": (2206, 946),
    },
}


def output_size(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    """(width, height) of the video Seedance returns for this aspect ratio and resolution."""
    try:
        return OUTPUT_SIZES[resolution][aspect_ratio]
    except KeyError:
        raise ValueError(f"no output size for aspect ratio {aspect_ratio!r} at {resolution!r}") from None


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The offered aspect ratio closest to a picture's own shape: what "auto" resolves to from an image."""
    if width <= 0 or height <= 0:
        raise ValueError(f"no aspect ratio for a {width}x{height} picture")
    shape = math.log(width / height)

    # In log space 2:1 is as far from 1:1 as 1:2 is, so portrait and landscape are treated alike.
    def distance(ratio: str) -> float:
        w, h = (int(part) for part in ratio.split(":"))
        return abs(shape - math.log(w / h))

    return min(ASPECT_RATIOS, key=distance)
