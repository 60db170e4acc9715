"""Reading the command line's feature maps and boxes: inline text or files.

Every source follows the same rules: at most ``roikit.budget.MAX_MAP_CELLS``
values (checked before the file is loaded: ``.npy`` files are memory-mapped,
images are measured from their header), finite numbers only, and error
messages that never echo a file's contents.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine import budget
from ..errors import RoIError
from ..i18n import text
from .textmap import TextMapError, count_values, parse_text_map

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"}


@dataclass(frozen=True)
class Phrase:
    """A value of a message that is itself words: written in the message's language (a catalogue key)."""

    key: str

    def __str__(self) -> str:
        return text("en", self.key)


def message(lang: str, key: str, /, **values: object) -> str:
    """The command line's message ``key`` (a ``cli.`` key of the catalogue) in ``lang``.

    A :class:`Phrase` among the values is written in ``lang`` too.

    Examples
    --------
    >>> message("en", "bin.outside", bin="3,3", ph=1, pw=1)
    '--bin 3,3 is outside the 1x1 output'
    """
    words = {k: text(lang, v.key) if isinstance(v, Phrase) else v for k, v in values.items()}
    return text(lang, "cli." + key, **words)


def prefix(lang: str) -> str:
    """``roikit: error: `` in ``lang``."""
    return message(lang, "prefix")


class RequestError(RoIError):
    """A request of the command line or the explorer cannot be served (a map, box, option, answer).

    Raised with a key of the catalogue's ``cli.`` messages (:mod:`roikit.i18n`): the
    text is English, :meth:`localized` gives it in the request's language.
    """

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(message("en", key, **values))

    def localized(self, lang: str) -> str:
        """The message in ``lang``."""
        return message(lang, self.key, **self.values)


#: The former name (it was raised for much more than files); kept for code that catches it.
InputFileError = RequestError


def _text_map(text: str, where: str, *, inline: bool, max_cells: int) -> np.ndarray:
    """A map written as text (:func:`~roikit.frontends.textmap.parse_text_map`), refused in one line.

    Inline text quotes the value it cannot read; a file's contents are never quoted.
    """
    try:
        return _finite(parse_text_map(text, inline=inline, max_cells=max_cells), where)
    except TextMapError as exc:
        values = dict(exc.values)
        key = exc.key
        if key == "map.token" and (not inline or len(str(values["bad"])) > 20):
            key = "map.value"
        raise RequestError(key, where=where, **values) from None


def parse_inline_map(text: str, max_cells: int, where: str = "map") -> np.ndarray:
    """Inline rows (``"1 2; 3 4"``) as a map of at most ``max_cells`` values; never a file name.

    The explorer's API uses this (a query can name numbers, not files on the
    machine), and ``--grad``; ``where`` is what an error names.
    """
    if len(text) > 32 * max_cells:
        raise RequestError("map.too_many", where=where, limit=max_cells)
    return _text_map(text, where, inline=True, max_cells=max_cells)


def _finite(arr: np.ndarray, where: str) -> np.ndarray:
    """The one finiteness rule for maps from every source."""
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        at = ", ".join(str(int(i)) for i in bad[0])
        raise RequestError("map.finite", where=where, at=at, value=arr[tuple(bad[0])])
    return arr


def _check_cells(shape: tuple[int, ...], where: str, limit: int | None = None) -> None:
    limit = budget.MAX_MAP_CELLS if limit is None else limit
    cells = math.prod(int(d) for d in shape)
    if cells > limit:
        raise RequestError(
            "map.cells", where=where, shape=" x ".join(map(str, shape)), cells=cells, limit=limit
        )


#: An answer file is a few hundred bytes; anything over this is not one.


def read_answer(spec: str) -> str:
    """``roikit check --answer``: the JSON text itself, or the file that holds it (at most 1 MiB)."""
    if not is_file(spec):
        if len(spec.encode("utf-8", "surrogateescape")) > budget.MAX_ANSWER_BYTES:
            raise RequestError("check.size", limit=budget.MAX_ANSWER_BYTES)
        return spec
    path = Path(spec)
    try:
        if path.stat().st_size > budget.MAX_ANSWER_BYTES:
            raise RequestError("check.size", limit=budget.MAX_ANSWER_BYTES)
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError("map.text", spec=spec, detail=type(exc).__name__) from exc


def is_file(spec: str) -> bool:
    """Whether ``spec`` names an existing file (an inline map or answer is not a file name)."""
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a long inline map is not a valid file name
        return False


#: Pillow modes read as their exact numbers (16-bit, 32-bit integer and float images).
_EXACT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _load_image(path: Path, spec: str, limit: int) -> np.ndarray:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                _check_cells((im.height, im.width), f"--map {spec}", limit)  # from the header
                frames = getattr(im, "n_frames", 1)
                if frames > 1:
                    raise RequestError("map.frames", spec=spec, n=frames)
                im = ImageOps.exif_transpose(im)  # upright, as viewers show it
                if im.mode in _EXACT_MODES:
                    return np.asarray(im, dtype=np.float64)
                # Grey values as Pillow's "L": ITU-R 601-2 luma, 0.299 R + 0.587 G + 0.114 B.
                return np.asarray(im.convert("L"), dtype=np.float64)
    except RequestError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RequestError("map.bomb", spec=spec, detail=exc) from exc
    except Exception as exc:  # a broken file: Pillow's decoders raise OSError, SyntaxError, ValueError ...
        raise RequestError("map.image", spec=spec, detail=type(exc).__name__) from exc


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def load_map(spec: str, max_cells: int | None = None) -> tuple[np.ndarray, Path | None]:
    """Return the map (2-D or 3-D) and the image path when it came from a picture.

    ``spec`` is inline text (``"1 2 3; 4 5 6"``) or a file: ``.npy``,
    ``.csv``/``.txt`` (commas, spaces or tabs; or semicolons with decimal
    commas), or an image (grey values, turned upright by its EXIF orientation).
    Every source is size-checked before it is parsed: ``.npy`` by its header
    (memory-mapped), an image by its header, text by its bytes; at most
    ``max_cells`` values (default ``roikit.budget.MAX_MAP_CELLS``).
    """
    limit = budget.MAX_MAP_CELLS if max_cells is None else max_cells
    looks_inline = any(ch.isdigit() for ch in spec) and (";" in spec or " " in spec.strip())
    if not is_file(spec):
        if looks_inline or _is_number(spec):
            if len(spec) > 32 * limit:
                raise RequestError("map.too_many", where="--map", limit=limit)
            return _text_map(spec, "--map", inline=True, max_cells=limit), None
        shown = spec if len(spec) <= 40 else spec[:37] + "..."
        raise RequestError("map.missing", shown=shown)
    path = Path(spec)
    suffix = path.suffix.lower()
    where = f"--map {spec}"
    if suffix == ".npy":
        try:  # memory-mapped: the size is checked before anything is read
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
        except Exception as exc:
            raise RequestError("map.npy", spec=spec, detail=type(exc).__name__) from exc
        if arr.ndim not in (2, 3) or arr.dtype.kind not in "iuf":
            raise RequestError("map.npy_shape", spec=spec, shape=arr.shape, dtype=arr.dtype)
        _check_cells(arr.shape, where, limit)
        return _finite(np.array(arr, dtype=np.float64), where), None
    if suffix in IMAGE_SUFFIXES:
        return _finite(_load_image(path, spec, limit), where), path
    try:
        size = path.stat().st_size
        text_limit = min(budget.MAX_MAP_TEXT_BYTES, 32 * limit)  # a value takes at least 2 bytes
        if size > text_limit:
            raise RequestError("map.text_size", where=where, size=size, limit=text_limit)
        raw = path.read_bytes()
        if size // 2 + 1 > limit and count_values(raw) > limit:  # before decoding or parsing anything
            raise RequestError("map.too_many", where=where, limit=limit)
        content = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError("map.text", spec=spec, detail=type(exc).__name__) from exc
    del raw
    return _text_map(content, where, inline=False, max_cells=limit), None


def picture_map(
    grey: np.ndarray, path: Path, spatial_scale: float, lang: str
) -> tuple[np.ndarray, np.ndarray, str]:
    """The feature map made from a picture, the picture to draw under it, and the line saying so.

    At ``spatial_scale < 1`` both are cut to whole ``1/s`` blocks and the map
    is their average, so a box in the picture's pixels lands on what it
    shows.
    """
    k = picture_stride(spatial_scale)
    picture = load_picture(path)
    mode = picture_mode(path)
    if k > 1:
        feature = block_mean(grey, k)
        picture = picture[: feature.shape[0] * k, : feature.shape[1] * k]
        return feature, picture, text(lang, "source.pooled", k=k)
    if mode in _EXACT_MODES:
        return grey, picture, text(lang, "source.image_exact", mode=mode)
    return grey, picture, text(lang, "source.image")


def load_picture(path: Path) -> np.ndarray:
    """The picture itself (RGB), to draw figures over it."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def picture_mode(path: Path) -> str:
    """The picture's Pillow mode (from its header): whether its values were read exactly."""
    from PIL import Image

    with Image.open(path) as im:
        return str(im.mode)


def picture_stride(spatial_scale: float) -> int:
    """The block size ``k = 1 / spatial_scale`` a picture is averaged over, or 1; ``k`` must be whole.

    With a picture as the map and ``spatial_scale < 1``, the box is in the
    picture's pixels, so the feature map must be the picture shrunk by ``k``,
    as a backbone of stride ``k`` would shrink it.

    Examples
    --------
    >>> picture_stride(0.25), picture_stride(1.0)
    (4, 1)
    """
    if spatial_scale >= 1:
        return 1
    k = round(1 / spatial_scale)
    if abs(k * spatial_scale - 1) > 1e-9:
        raise RequestError("picture.stride", s=f"{spatial_scale:g}")
    return k


def block_mean(picture: np.ndarray, k: int) -> np.ndarray:
    """The picture averaged over ``k`` × ``k`` blocks (a ragged right or bottom edge is dropped).

    Examples
    --------
    >>> block_mean(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    h, w = (picture.shape[0] // k) * k, (picture.shape[1] // k) * k
    if h == 0 or w == 0:
        raise RequestError("picture.small", h=picture.shape[0], w=picture.shape[1], k=k)
    cropped = picture[:h, :w]
    return cropped.reshape(h // k, k, w // k, k, *picture.shape[2:]).mean(axis=(1, 3))


def parse_numbers(text: str, name: str, count: tuple[int, ...]) -> list[float]:
    """Parse comma-separated numbers for option ``name``, expecting one of ``count`` items."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise RequestError("numbers.parse", name=name, text=text) from None
    if len(values) not in count:
        if len(count) == 2:
            raise RequestError("numbers.count2", name=name, a=count[0], b=count[1], n=len(values), text=text)
        raise RequestError("numbers.count", name=name, want=count[0], n=len(values), text=text)
    if not all(math.isfinite(v) for v in values):
        raise RequestError("numbers.finite", name=name, text=text)
    return values


#: The largest float32: every library computes RoI ops in float32, so a box is refused beyond it.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_scale(spatial_scale: float) -> float:
    """``--spatial-scale``: positive and finite (refused in the command line's language)."""
    if not (math.isfinite(spatial_scale) and spatial_scale > 0):
        raise RequestError("scale", value=f"{spatial_scale:g}")
    return spatial_scale


def parse_box(text: str, spatial_scale: float) -> list[float]:
    """Parse ``--box x1,y1,x2,y2``: four finite numbers within float32, also after scaling."""
    check_scale(spatial_scale)
    values = parse_numbers(text, "--box", (4,))
    for v in values:
        if abs(v) > FLOAT32_MAX or abs(v * spatial_scale) > FLOAT32_MAX:
            raise RequestError(
                "box.float32", text=text, v=f"{v:g}", s=f"{spatial_scale:g}", limit=f"{FLOAT32_MAX:.3g}"
            )
    return values


def parse_output_size(text: str, map_shape: tuple[int, int]) -> tuple[int, int]:
    """Parse ``N`` or ``H,W`` and check it is a sensible number of bins for the map."""
    values = parse_numbers(text, "--output-size", (1, 2))
    if any(v != int(v) or v <= 0 for v in values):
        raise RequestError("size.whole", text=text)
    ph, pw = (int(values[0]),) * 2 if len(values) == 1 else (int(values[0]), int(values[1]))
    h, w = map_shape
    if ph > h or pw > w:
        raise RequestError("size.large", ph=ph, pw=pw, h=h, w=w)
    return ph, pw
