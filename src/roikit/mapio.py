"""Reading the command line's feature maps and boxes: inline text or files.

Every source follows the same rules: at most ``roikit.budget.MAX_MAP_CELLS``
values (checked before the file is loaded: ``.npy`` files are memory-mapped,
images are measured from their header), finite numbers only, and error
messages that never echo a file's contents.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from . import budget
from .errors import RoIError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"}


class InputFileError(RoIError):
    """A map, box or size given on the command line cannot be used."""


def _parse_rows(text: str, where: str, echo: bool) -> np.ndarray:
    """Rows of numbers; ``echo`` quotes a bad token (inline text), a file's are never quoted."""
    rows = []
    for i, line in enumerate(r for r in text.replace("\n", ";").split(";") if r.strip()):
        items = line.replace(",", " ").split()
        try:
            rows.append([float(v) for v in items])
        except ValueError:
            j, bad = next((j, v) for j, v in enumerate(items) if not _is_number(v))
            what = f"has {bad!r}, which" if echo and len(bad) <= 20 else f"value {j}"
            raise InputFileError(f"{where}: row {i} {what} is not a number") from None
        if len(rows) * max(len(rows[0]), 1) > budget.MAX_MAP_CELLS:
            raise InputFileError(f"{where}: more than {budget.MAX_MAP_CELLS} values "
                                 f"(roikit.budget.MAX_MAP_CELLS)")  # fmt: skip
    if not rows:
        raise InputFileError(f"{where}: no numbers found")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise InputFileError(
            f"{where}: rows have different lengths {sorted(widths)}; every row needs the same "
            f"number of values"
        )
    return _finite(np.array(rows), where)


def _finite(arr: np.ndarray, where: str) -> np.ndarray:
    """The one finiteness rule for maps from every source."""
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        at = ", ".join(str(int(i)) for i in bad[0])
        raise InputFileError(f"{where}: the map must hold finite numbers; value [{at}] is "
                             f"{arr[tuple(bad[0])]}")  # fmt: skip
    return arr


def _check_cells(shape: tuple[int, ...], where: str) -> None:
    cells = math.prod(int(d) for d in shape)
    if cells > budget.MAX_MAP_CELLS:
        raise InputFileError(
            f"{where}: {' x '.join(map(str, shape))} = {cells} values is more than a walkthrough "
            f"can show; the limit is {budget.MAX_MAP_CELLS} (roikit.budget.MAX_MAP_CELLS)"
        )


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a long inline map is not a valid file name
        return False


#: Pillow modes read as their exact numbers (16-bit, 32-bit integer and float images).
_EXACT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _load_image(path: Path, spec: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                _check_cells((im.height, im.width), f"--map {spec}")
                if im.mode in _EXACT_MODES:
                    return np.asarray(im, dtype=np.float64)
                # Grey values as Pillow's "L": ITU-R 601-2 luma, 0.299 R + 0.587 G + 0.114 B.
                return np.asarray(im.convert("L"), dtype=np.float64)
    except InputFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputFileError(f"--map {spec}: the image is too large ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputFileError(f"--map {spec}: cannot read the image ({type(exc).__name__})") from exc


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def load_map(spec: str) -> tuple[np.ndarray, Path | None]:
    """Return the map (2-D or 3-D) and the image path when it came from a picture.

    ``spec`` is inline text (``"1 2 3; 4 5 6"``) or a file: ``.npy``,
    ``.csv``/``.txt`` (commas or whitespace), or an image (grey values).
    """
    looks_inline = any(ch.isdigit() for ch in spec) and (";" in spec or " " in spec.strip())
    if not _is_file(spec):
        if looks_inline or _is_number(spec):
            return _parse_rows(spec, "--map", echo=True), None
        shown = spec if len(spec) <= 40 else spec[:37] + "..."
        raise InputFileError(f"--map {shown!r} is not a file, and not inline numbers like '1 2; 3 4'")
    path = Path(spec)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:  # memory-mapped: the size is checked before anything is read
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
        except Exception as exc:
            raise InputFileError(f"--map {spec}: cannot read it as a .npy file "
                                 f"({type(exc).__name__})") from exc  # fmt: skip
        if arr.ndim not in (2, 3) or arr.dtype.kind not in "iuf":
            raise InputFileError(
                f"--map {spec}: expected a 2-D (H, W) or 3-D (C, H, W) numeric array; "
                f"got shape {arr.shape} of {arr.dtype}"
            )
        _check_cells(arr.shape, f"--map {spec}")
        return _finite(np.array(arr, dtype=np.float64), f"--map {spec}"), None
    if suffix in IMAGE_SUFFIXES:
        return _finite(_load_image(path, spec), f"--map {spec}"), path
    try:
        if path.stat().st_size > 32 * budget.MAX_MAP_CELLS:
            _check_cells((path.stat().st_size // 2,), f"--map {spec}")
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"--map {spec}: cannot read it as text ({type(exc).__name__})") from exc
    return _parse_rows(content, f"--map {spec}", echo=False), None


def load_picture(path: Path) -> np.ndarray:
    """The picture itself (RGB), to draw figures over it."""
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def parse_numbers(text: str, name: str, count: tuple[int, ...]) -> list[float]:
    """Parse comma-separated numbers for option ``name``, expecting one of ``count`` items."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputFileError(f"{name} needs numbers separated by commas; got {text!r}") from None
    if len(values) not in count:
        want = " or ".join(str(c) for c in count)
        raise InputFileError(f"{name} needs {want} number(s); got {len(values)} in {text!r}")
    if not all(math.isfinite(v) for v in values):
        raise InputFileError(f"{name} must be finite numbers; got {text!r}")
    return values


#: The largest float32: every library computes RoI ops in float32, so a box is refused beyond it.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def parse_box(text: str, spatial_scale: float) -> list[float]:
    """Parse ``--box x1,y1,x2,y2``: four finite numbers within float32, also after scaling."""
    values = parse_numbers(text, "--box", (4,))
    for v in values:
        if abs(v) > FLOAT32_MAX or abs(v * spatial_scale) > FLOAT32_MAX:
            raise InputFileError(
                f"--box {text}: {v:g} (× spatial_scale {spatial_scale:g}) is beyond float32 "
                f"(±{FLOAT32_MAX:.3g}), the precision RoI ops compute in"
            )
    return values


def parse_output_size(text: str, map_shape: tuple[int, int]) -> tuple[int, int]:
    """Parse ``N`` or ``H,W`` and check it is a sensible number of bins for the map."""
    values = parse_numbers(text, "--output-size", (1, 2))
    if any(v != int(v) or v <= 0 for v in values):
        raise InputFileError(f"--output-size needs positive whole numbers; got {text!r}")
    ph, pw = (int(values[0]),) * 2 if len(values) == 1 else (int(values[0]), int(values[1]))
    h, w = map_shape
    if ph > h or pw > w:
        raise InputFileError(
            f"--output-size {ph}x{pw} is larger than the {h}x{w} feature map; a walkthrough "
            f"needs at most {h} x {w} bins"
        )
    return ph, pw
