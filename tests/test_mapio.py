"""Maps the command line reads: every dialect detected or refused in one line, every source bounded.

The third reliability round read a semicolon CSV as a 6x1 map and a decimal-comma
CSV as another map, silently; refused a BOM and U+2212 without saying why; accepted
full-width digits and 1_000; parsed a 40 MB line (1.1 GB) before refusing it; read
EXIF-rotated JPEGs unrotated and the first frame of an animation silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from roikit.frontends.mapio import RequestError, load_map


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("semi.csv", b"1;2;3\n4;5;6\n", [[1, 2, 3], [4, 5, 6]]),
        ("deccomma.csv", b"1,5;2,5\n3,5;4,5\n", [[1.5, 2.5], [3.5, 4.5]]),
        ("bom.csv", b"\xef\xbb\xbf1,2\r\n3,4\r\n", [[1, 2], [3, 4]]),
        ("minus.txt", "1 \N{MINUS SIGN}2\n3 4\n".encode(), [[1, -2], [3, 4]]),
        ("tabs.txt", b"1\t2\n3\t4", [[1, 2], [3, 4]]),
        ("spaced.csv", b"1, 2, 3\n4, 5, 6\n", [[1, 2, 3], [4, 5, 6]]),
        ("inline-style.txt", b"1 2; 3 4", [[1, 2], [3, 4]]),
        ("one-row.csv", b"1;2;3", [[1, 2, 3]]),
        ("exp.txt", b"1e2 -2.5E-1\n.5 +3", [[100, -0.25], [0.5, 3]]),
    ],
)
def test_text_dialects_are_read_as_written(tmp_path: Path, name: str, data: bytes, expected) -> None:  # type: ignore[no-untyped-def]
    m, _ = load_map(_file(tmp_path, name, data))
    assert m.tolist() == expected


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "fullwidth.txt",
            "1 ２\n3 4\n".encode(),
            "row 0 value 1 is not a number (numbers are written with the digits",
        ),
        ("arabic.txt", "1 ٢\n3 4\n".encode(), "row 0 value 1 is not a number"),
        ("under.txt", b"1_000 2\n3 4\n", "row 0 value 0 is not a number"),
        ("empty.csv", b"1,,2\n3,4,5\n", "row 0 has an empty value"),
        ("trailing.csv", b"1,2,\n3,4,\n", "row 0 has an empty value"),
        ("ambiguous.txt", b"1,5 2,5\n3,5 4,5\n", "commas inside numbers between spaces are ambiguous"),
        ("ragged.csv", b"1,2\n3\n", "rows have different lengths [1, 2]"),
        ("nan.txt", b"1 nan\n3 4\n", "the map must hold finite numbers; value [0, 1] is nan"),
        ("blank.txt", b"\n\n", "no numbers found"),
    ],
)
def test_text_that_is_not_a_map_is_refused_with_the_reason(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(RequestError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_map(_file(tmp_path, name, data))


def test_an_inline_map_quotes_what_it_cannot_read_and_a_file_never_does(tmp_path: Path) -> None:
    with pytest.raises(RequestError, match="row 0 has '２', which is not a number"):
        load_map("1 ２; 3 4")
    with pytest.raises(RequestError) as exc:
        load_map(_file(tmp_path, "secret.txt", b"1 password\n3 4\n"))
    assert "password" not in str(exc.value)


def test_a_huge_text_map_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    # 20 million values on one line (40 MB), over MAX_MAP_CELLS (2**24): refused after one scan,
    # in a fresh process whose peak memory is measured (it was 1.1 GB and 4.5 s before).
    path = tmp_path / "line.txt"
    path.write_bytes(b"1 " * 20_000_000)
    script = (
        "import sys\n"
        "from roikit.frontends.mapio import RequestError, load_map\n"
        "try:\n"
        "    load_map(sys.argv[1])\n"
        "except RequestError as e:\n"
        "    print(e)\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) pytest process across exec.
        "print(int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    message, peak_mb = out.stdout.strip().splitlines()
    assert message.endswith("more than 16777216 values"), out.stdout + out.stderr
    assert int(peak_mb) < 600, peak_mb  # the 40 MB of text and numpy, not a parse of it
    too_big = tmp_path / "big.txt"
    too_big.write_bytes(b"1 " * (40 << 20))  # 80 MB: over MAX_MAP_TEXT_BYTES, refused by its size alone
    with pytest.raises(RequestError, match="a text map is read up to 67108864 bytes"):
        load_map(str(too_big))


def test_a_picture_is_turned_upright_by_its_exif_orientation(tmp_path: Path) -> None:
    pixels = (np.arange(32, dtype=np.uint8).reshape(4, 8) * 8).astype(np.uint8)
    im = Image.fromarray(pixels)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    im.save(tmp_path / "rot.png", exif=exif)
    m, _ = load_map(str(tmp_path / "rot.png"))
    assert m.shape == (8, 4)  # as a viewer shows it, not as stored (4 x 8)
    assert np.array_equal(m, np.rot90(pixels.astype(float), -1))


def test_an_animation_is_refused_not_read_as_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.fromarray(np.full((4, 4), i * 40, np.uint8)) for i in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    with pytest.raises(RequestError, match=r"holds 3 frames \(an animation\)"):
        load_map(str(tmp_path / "anim.gif"))


def test_a_corrupt_png_is_one_line(tmp_path: Path) -> None:
    # Two IDAT chunks, the second with a corrupted type: Pillow raises SyntaxError.
    import io
    import zlib

    png = io.BytesIO()
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(png, "PNG")
    data = png.getvalue()
    i = data.index(b"IDAT") - 4
    length = int.from_bytes(data[i : i + 4], "big")
    body = data[i + 8 : i + 8 + length]
    half = len(body) // 2
    chunk = lambda kind, payload: (  # noqa: E731
        len(payload).to_bytes(4, "big") + kind + payload + zlib.crc32(kind + payload).to_bytes(4, "big")
    )
    broken = (
        data[:i] + chunk(b"IDAT", body[:half]) + chunk(b"ID\x00\x00", body[half:]) + data[i + 12 + length :]
    )
    with pytest.raises(RequestError, match="cannot read the image"):
        load_map(_file(tmp_path, "broken.png", broken))


def test_the_explorer_upload_limit_applies_before_parsing(tmp_path: Path) -> None:
    path = _file(tmp_path, "m.csv", ("1," * 299 + "1\n").encode() * 300)  # 300 x 300 = 90,000 values
    with pytest.raises(RequestError, match="more than 65536 values"):
        load_map(path, 256 * 256)
