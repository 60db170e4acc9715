"""Reading the command line's feature maps and boxes: inline text or files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .errors import RoIError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"}


class InputFileError(RoIError):
    """A map, box or size given on the command line cannot be used."""


def _parse_rows(text: str, where: str) -> np.ndarray:
    rows = []
    for i, line in enumerate(r for r in text.replace("\n", ";").split(";") if r.strip()):
        items = line.replace(",", " ").split()
        try:
            rows.append([float(v) for v in items])
        except ValueError:
            bad = next(v for v in items if not _is_number(v))
            raise InputFileError(f"{where}: row {i} has {bad!r}, which is not a number") from None
    if not rows:
        raise InputFileError(f"{where}: no numbers found")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise InputFileError(
            f"{where}: rows have different lengths {sorted(widths)}; every row needs the same "
            f"number of values"
        )
    arr = np.array(rows)
    if not np.isfinite(arr).all():
        raise InputFileError(f"{where}: the map must hold finite numbers (found nan or inf)")
    return arr


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
    path = Path(spec)
    looks_inline = any(ch.isdigit() for ch in spec) and (";" in spec or " " in spec.strip())
    if not path.is_file():
        if looks_inline or _is_number(spec):
            return _parse_rows(spec, "--map"), None
        raise InputFileError(f"--map {spec!r} is not a file, and not inline numbers like '1 2; 3 4'")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except Exception as exc:
            raise InputFileError(f"--map {spec}: cannot read it as a .npy file ({exc})") from exc
        if arr.ndim not in (2, 3) or arr.dtype.kind not in "iuf":
            raise InputFileError(
                f"--map {spec}: expected a 2-D (H, W) or 3-D (C, H, W) numeric array; "
                f"got shape {arr.shape} of {arr.dtype}"
            )
        return arr.astype(np.float64), None
    if suffix in IMAGE_SUFFIXES:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as im:
                return np.asarray(im.convert("L"), dtype=np.float64), path
        except (UnidentifiedImageError, OSError) as exc:
            raise InputFileError(f"--map {spec}: cannot read the image ({exc})") from exc
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"--map {spec}: cannot read it as text ({exc})") from exc
    return _parse_rows(content, f"--map {spec}"), None


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
