"""Figures: structure (dots, bins, winners, arrows, labels) and written files, not pixels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from typer.testing import CliRunner

from roikit import explain_roi_align, explain_roi_pool, figures
from roikit.frontends.cli import app
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE, demo_figures
from roikit.i18n.numbers import num
from roikit.render.figures import MAX_FULL_BINS

M = np.arange(49.0).reshape(7, 7) % 5


@pytest.mark.parametrize(("size", "sr"), [((2, 2), 2), ((3, 2), 1), ((2, 3), 0)])
def test_align_figure_draws_every_sampling_point_and_bin(size, sr):  # type: ignore[no-untyped-def]
    trace = explain_roi_align(M, (0.7, 1.2, 5.6, 5.9), size, 1.0, sr, mode="max")
    d = figures.align_figure(trace)
    gh, gw = trace.data.y.grid, trace.data.x.grid
    # up to 4 bins every point is drawn; more bins draw the worked bin's, on the map and enlarged
    # beside it (a 3 × 2 output drawn in full is a tangle)
    big = size[0] * size[1] > MAX_FULL_BINS
    bins = 1 if big else size[0] * size[1]
    assert len(d.points) == bins * gh * gw * (2 if big else 1)
    assert len(d.bins) == size[0] * size[1] and len(d.roi) == 1
    assert len(d.winners) == bins * (2 if big else 1)  # max mode: one winner per bin drawn
    assert len(d.arrows) == 4
    texts = [t.get_text() for t in d.labels]
    weights = trace.data.bins[0].points[trace.data.bins[0].winner].weights
    assert all(num(w, operand=True).text in texts for w in weights)
    assert "RoI Align (max)" in d.ax.get_title()


def test_demo_arrows_carry_the_weights_the_bilinear_figure_derives() -> None:
    # bin (0, 0) of the demo wins at (y, x) = (2.8625, 3.4): ly = 0.8625, hy = 0.1375,
    # lx = 0.4, hx = 0.6, so the corners weigh hy·hx, hy·lx, ly·hx, ly·lx:
    d = figures.align_figure(explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="max"))
    texts = {t.get_text() for t in d.labels}
    assert {"0.0825", "0.055", "0.5175", "0.345"} <= texts


def test_align_figure_avg_has_no_winners_and_marks_outside_points() -> None:
    trace = explain_roi_align(M, (-3.0, 1.0, 4.0, 5.0), 2, mode="avg")
    d = figures.align_figure(trace)
    assert d.winners == []
    outside = [p for b in trace.data.bins for p in b.points if not p.inside]
    assert outside  # this box reaches past x = -1
    hollow = [s for s in d.points if tuple(s.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)]
    assert len(hollow) == len(outside)


def test_bilinear_rectangles_have_the_weights_as_areas() -> None:
    trace = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.bilinear_figure(trace)
    b = trace.data.bins[0]
    weights = b.points[b.winner].weights
    areas = [r.get_width() * r.get_height() for r in d.cells]
    np.testing.assert_allclose(areas, weights, atol=1e-12)
    assert len(d.points) == 4 and len(d.winners) == 1
    assert "= 5.215" in d.ax.get_title()


def test_pool_figure_draws_ideal_bins_over_pooled_cells_and_places_every_max() -> None:
    # Demo box on the map: x [1.6, 6.4], y [2.3, 6.8]. Ideal column bins [1.6, 4], [4, 6.4],
    # rows [2.3, 4.55], [4.55, 6.8]; pooled columns 2…4 and 4…6, rows 2…4 and 5…7.
    trace = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.pool_figure(trace)
    first = d.ideal[0]  # bin (0, 0)
    assert first.get_linestyle() == "--"
    np.testing.assert_allclose(
        [first.get_x(), first.get_y(), first.get_width(), first.get_height()],
        [1.6, 2.3, 2.4, 2.25],
        atol=1e-9,
    )
    # the solid bin (0, 1) outlines columns 4…6 (x from 3.5 to 6.5), a little inset
    solid = d.bins[1]
    assert 3.5 < solid.get_x() < 3.6 and 6.4 < solid.get_x() + solid.get_width() < 6.5
    # Maxima, by hand: bins (0, 0) and (0, 1) share the 9 at row 4, column 4; (1, 0) has the 6
    # at (6, 3); (1, 1) the 8 at (6, 6). Three outlined cells, centred on (col, row).
    centres = sorted((w.get_x() + w.get_width() / 2, w.get_y() + w.get_height() / 2) for w in d.winners)
    assert centres == [(3.0, 6.0), (4.0, 4.0), (6.0, 6.0)]
    assert any(t.get_text() == "max of bins (0, 0), (0, 1)" for t in d.labels)
    assert [t.get_text() for t in d.labels].count("9") == 1


def test_pool_figure_outlines_tied_maxima() -> None:
    m = np.array([[1, 5, 2, 2], [5, 3, 2, 2], [0, 0, 7, 7], [0, 0, 7, 7]], float)
    d = figures.pool_figure(explain_roi_pool(m, (0, 0, 3, 3), 2))
    # bin (0, 0): 5 at (0, 1) wins, the 5 at (1, 0) is a tie; bin (0, 1): 2 at (0, 2) wins,
    # (0, 3), (1, 2), (1, 3) tie; bin (1, 1): 7 at (2, 2), three ties; bin (1, 0): 0, three ties.
    ties = sorted((round(t.get_x() + 0.42), round(t.get_y() + 0.42)) for t in d.cells)  # (col, row)
    assert (0, 1) in ties and (3, 0) in ties and (3, 3) in ties and len(ties) == 1 + 3 + 3 + 3
    assert all(t.get_linestyle() == ":" for t in d.cells)


def test_large_maps_become_a_heat_map_and_images_are_drawn_under() -> None:
    big = np.random.default_rng(0).standard_normal((30, 30))
    d = figures.align_figure(explain_roi_align(big, (3, 4, 20, 25), 2))
    # no cell values: the arrows' four weights in [0, 1], and the bins' names
    weights = [t.get_text() for t in d.labels if not t.get_text().startswith("(")]
    assert len(weights) == 4 and all(0 <= float(w) <= 1 for w in weights)
    assert any(isinstance(a, AxesImage) for a in d.ax.get_children())
    picture = np.zeros((7, 7, 3), np.uint8)
    d = figures.pool_figure(explain_roi_pool(M, (1, 1, 5, 5), 2), image=picture)
    assert any(isinstance(a, AxesImage) for a in d.ax.get_children())


def test_helpers_draw_into_a_given_axes() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert figures.align_figure(explain_roi_align(M, (1, 1, 5, 5), 2), ax=ax).ax is ax


def test_align_winners_are_drawn_where_the_trace_puts_them() -> None:
    # A winner drawn at (row, col) instead of (x, y) would fail here.
    trace = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.align_figure(trace)
    got = sorted(tuple(np.round(w.get_offsets()[0], 6)) for w in d.winners)
    want = sorted((round(b.points[b.winner].x, 6), round(b.points[b.winner].y, 6)) for b in trace.data.bins)
    assert got == want == [(2.2, 5.1125), (3.4, 2.8625), (4.6, 3.9875), (5.8, 6.2375)]


def test_big_outputs_draw_one_bin_in_full_with_a_zoom() -> None:
    m = np.random.default_rng(0).integers(0, 10, (20, 20)).astype(float)
    trace = explain_roi_align(m, (1.3, 2.2, 18.4, 17.9), 7, sampling_ratio=2)
    d = figures.align_figure(trace)
    assert len(d.bins) == 49 and d.zoom is not None
    # the worked bin's 4 points, on the main axes and in the zoom
    assert len(d.points) == 2 * 4 and len(d.winners) == 2
    assert "bin (0, 0) is drawn in full" in d.ax.get_title()
    d = figures.align_figure(trace, bin=(3, 5))
    b = next(b for b in trace.data.bins if (b.ph, b.pw) == (3, 5))
    assert tuple(np.round(d.points[0].get_offsets()[0], 9)) == (
        round(b.points[0].x, 9),
        round(b.points[0].y, 9),
    )


def test_aligned_figures_show_the_shift() -> None:
    trace = explain_roi_align(M, (1, 1, 5, 5), 2, aligned=True)
    d = figures.align_figure(trace)
    shifted, before = d.roi
    assert before.get_linestyle() == "--"
    assert before.get_x() - shifted.get_x() == pytest.approx(0.5)
    assert "shift by −0.5" in d.ax.get_title()


@pytest.mark.parametrize("which", ["align", "bilinear", "halfpixel", "pool", "summary"])
def test_korean_figures_use_a_hangul_font_with_no_missing_glyph(tmp_path, which) -> None:  # type: ignore[no-untyped-def]
    import warnings

    pool = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang="ko")
    align = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang="ko", aligned=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a warning
        d = {
            "align": lambda: figures.align_figure(align),
            "bilinear": lambda: figures.bilinear_figure(align),
            "halfpixel": lambda: figures.halfpixel_figure(align),
            "pool": lambda: figures.pool_figure(pool),
            "summary": lambda: figures.summary_figure(pool, align),
        }[which]()
        for ext in ("png", "svg", "pdf"):
            d.figure.savefig(tmp_path / f"f.{ext}")
    texts = " ".join(t.get_text() for a in d.figure.axes for t in [a.title, *a.texts])
    assert any("\uac00" <= ch <= "\ud7a3" for ch in texts)  # Hangul syllables are on the figure
    families = {f for a in d.figure.axes for t in a.texts for f in t.get_fontfamily()}
    assert "NanumGothic" in families


def test_halfpixel_figure_puts_the_aligned_points_on_the_cell_values() -> None:
    # A box from pixel edge 0 to edge 2, 2 bins of one point: with aligned=True the box is
    # [−0.5, 1.5] and its points are its bins' centres 0 and 1, the two cells' values; with
    # aligned=False it is [0, 2] and they are 0.5 and 1.5, halfway between cells.
    d = figures.halfpixel_figure(explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE))
    (true_box, false_box) = d.roi
    assert (true_box.get_x(), true_box.get_width()) == (-0.5, 2.0)
    assert (false_box.get_x(), false_box.get_width()) == (0.0, 2.0)
    xs = [tuple(p.get_offsets()[0]) for p in d.points]
    assert xs == [(0.0, 1.8), (1.0, 1.8), (0.5, 0.8), (1.5, 0.8)]
    assert [(c.get_x(), c.get_width()) for c in d.cells] == [(-0.5, 1.0), (0.5, 1.0)]  # pixels between edges
    assert "aligned=True" in " ".join(t.get_text() for t in d.ax.texts)


def test_summary_figure_has_input_and_both_outputs() -> None:
    pool = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    align = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.summary_figure(pool, align)
    assert [a.get_title() for a in d.figure.axes] == [
        "input and RoI",
        "RoI Pool output",
        "RoI Align (max) output",
    ]
    assert len(d.labels) == 64 + 4 + 4
    # the outputs as the lesson prints them, not cut to 3 decimals: bin (1, 0) wins at
    # (y, x) = (5.1125, 2.2): 5·0.8875·0.8 + 1·0.8875·0.2 + 2·0.1125·0.8 + 6·0.1125·0.2 = 4.0425;
    # bin (1, 1) at (6.2375, 5.8): 2·0.7625·0.2 + 8·0.7625·0.8 + 5·0.2375·0.2 + 1·0.2375·0.8 = 5.6125
    assert [t.get_text() for t in d.labels[-2:]] == ["4.0425", "5.6125"]


def test_wrong_trace_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="align_figure needs a RoI Align trace; got 'roi_pool'"):
        figures.align_figure(explain_roi_pool(M, (1, 1, 5, 5), 2))


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.parametrize("op", ["pool", "align"])
def test_cli_writes_every_figure_format(tmp_path, op, suffix):  # type: ignore[no-untyped-def]
    out = tmp_path / f"fig{suffix}"
    result = CliRunner().invoke(
        app, ["explain", op, "--map", "1 2 3; 4 5 6; 7 8 9", "--box", "0.2,0.3,1.9,1.7", "--figure", str(out)]
    )
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:8]
    assert {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix] in head


def test_cli_rejects_unknown_figure_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--figure", str(tmp_path / "f.gif")]
    )
    assert result.exit_code == 2 and "must end in .png, .svg or .pdf" in result.stderr


def test_demo_writes_all_its_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["demo", "--figures", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bilinear.png",
        "halfpixel.png",
        "roi_align_avg.png",
        "roi_align_max.png",
        "roi_pool.png",
        "summary.png",
    ]


def test_cli_figure_draws_over_the_picture_a_map_came_from(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    rgb = np.zeros((12, 10, 3), np.uint8)
    rgb[..., 0] = np.arange(10) * 25  # a red ramp: grey values 0..67
    Image.fromarray(rgb).save(tmp_path / "pic.png")
    out = tmp_path / "fig.png"
    result = CliRunner().invoke(
        app,
        [
            "explain",
            "align",
            "--map",
            str(tmp_path / "pic.png"),
            "--box",
            "1.5,2,7.5,9",
            "--output-size",
            "3",
            "--figure",
            str(out),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    # The map is the picture's grey values (Pillow's L conversion of R*299/1000).
    assert result.stdout.startswith("{") and '"feature"' in result.stdout
    d = figures.align_figure(
        explain_roi_align(
            np.asarray(Image.open(tmp_path / "pic.png").convert("L"), float), (1.5, 2, 7.5, 9), 3
        ),
        image=rgb,
    )
    shown = [a for a in d.ax.get_children() if isinstance(a, AxesImage)]
    assert len(shown) == 1 and shown[0].get_array().shape == (12, 10, 3)


def test_a_big_pool_figure_details_the_worked_bin_only() -> None:
    m = np.random.default_rng(0).integers(0, 10, (20, 20)).astype(float)
    trace = explain_roi_pool(m, (1.3, 2.2, 18.4, 17.9), 7)
    d = figures.pool_figure(trace, bin=(2, 3))
    assert len(d.bins) == 49 and len(d.ideal) == 1
    b = next(b for b in trace.data.bins if (b.ph, b.pw) == (2, 3))
    ideal = {(x.axis, x.bin): x.ideal for x in trace.data.misalignment.bins}
    assert d.ideal[0].get_x() == pytest.approx(ideal[("x", 3)][0])
    assert d.ideal[0].get_y() == pytest.approx(ideal[("y", 2)][0])
    assert b.winner is not None and len(d.winners) >= 1


def _hangul(fig) -> bool:  # type: ignore[no-untyped-def]
    texts = " ".join(t.get_text() for a in fig.axes for t in [a.title, a.xaxis.label, *a.texts])
    return any("\uac00" <= ch <= "\ud7a3" for ch in texts)


def test_demo_figures_speak_the_demo_language(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ko, en = demo_figures("ko"), demo_figures("en")
    names = ["bilinear", "halfpixel", "roi_align_avg", "roi_align_max", "roi_pool", "summary"]
    assert sorted(ko) == sorted(en) == names
    assert all(_hangul(fig) for fig in ko.values())
    assert not any(_hangul(fig) for fig in en.values())
    # and the CLI passes --lang on: the Korean files are not the English ones
    for lang, out in (("ko", tmp_path / "ko"), ("en", tmp_path / "en")):
        result = CliRunner().invoke(app, ["demo", "--lang", lang, "--figures", str(out)])
        assert result.exit_code == 0, result.output
    for name in ko:
        ko_png, en_png = (tmp_path / lang / f"{name}.png" for lang in ("ko", "en"))
        assert ko_png.read_bytes() != en_png.read_bytes()


def test_korean_figures_find_a_system_hangul_font_without_the_extra(tmp_path: Path) -> None:
    # Without koreanize-matplotlib, any installed font with Hangul is used (Debian's fonts-nanum,
    # Noto Sans CJK, UnDotum ...): here the extra's own NanumGothic file, registered as a system font.
    import importlib.util

    spec = importlib.util.find_spec("koreanize_matplotlib")
    nanum = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NanumGothic.ttf"
    script = f"""
import importlib.util
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name == "koreanize_matplotlib" else real(name, *a)
from matplotlib import font_manager
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                    if f.name == "DejaVu Sans"]  # a machine without Hangul fonts
font_manager.fontManager.addfont({str(nanum)!r})  # ... until one is installed
import numpy as np, roikit, roikit.figures
from roikit.render import figures
t = roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 2, lang="ko")
roikit.figures.pool_figure(t).figure.savefig({str(tmp_path / "ko.png")!r})
print(figures._families("ko")[0])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "NanumGothic" and (tmp_path / "ko.png").stat().st_size > 10_000


def test_without_any_hangul_font_korean_figures_are_one_line_naming_the_extra(tmp_path: Path) -> None:
    script = """
import importlib.util, sys
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name == "koreanize_matplotlib" else real(name, *a)
from matplotlib import font_manager
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
from roikit.frontends.cli import main
sys.argv = ["roikit", "demo", "--lang", "ko", "--format", "html"]
main()
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == (
        "roikit: 오류: 한국어 그림에는 한글 글꼴이 필요합니다: pip install 'roikit[figures]'(NanumGothic "
        "포함) 또는 Debian의 fonts-nanum, fonts-noto-cjk 같은 시스템 글꼴을 설치하세요\n"
    )


def _values_clear_of(d) -> list[str]:  # type: ignore[no-untyped-def]
    """The value labels a drawn point (or clamp mark) falls inside, measured in the rendered figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(d.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    hits = []
    for label, _ in d.values:
        box = label.get_window_extent(renderer)
        for dot in d.points + d.clamps:
            if dot.axes is not label.axes:
                continue
            for px, py in dot.axes.transData.transform(dot.get_offsets()):
                if box.contains(px, py):
                    hits.append(label.get_text())
    return hits


@pytest.mark.parametrize(
    "box,aligned", [(DEMO_BOX, False), ((-1.6, 5.0, 8.2, 13.8), True), ((1.4, 2.2, 9.0, 8.6), True)]
)
def test_align_values_sit_on_the_lattice_and_no_point_covers_one(box, aligned) -> None:  # type: ignore[no-untyped-def]
    d = figures.align_figure(explain_roi_align(DEMO_MAP, box, 2, DEMO_SCALE, aligned=aligned))
    assert len(d.values) == 64
    for label, (x, y) in d.values:
        lx, ly = label.get_position()
        assert max(abs(lx - x), abs(ly - y)) <= 0.25  # beside its lattice point (Figure 3's grammar)
        assert (x, y) == (round(x), round(y))  # a value sits where bilinear reads it: x = c, y = r
    assert _values_clear_of(d) == []


def test_a_point_past_the_edge_is_drawn_where_it_is_read() -> None:
    # x = −0.8 … −0.2 is within a cell of the edge: torchvision reads it at x = 0 (clamped).
    trace = explain_roi_align(DEMO_MAP, (-1.6, 5.0, 8.2, 13.8), 2, DEMO_SCALE, aligned=True)
    d = figures.align_figure(trace)
    clamped = [p for b in trace.data.bins for p in b.points if p.inside and p.x < 0]
    assert clamped and len(d.clamps) == len(clamped)
    assert {tuple(c.get_offsets()[0])[0] for c in d.clamps} == {0.0}
    assert "clamped" in d.ax.get_title()


def test_the_aligned_figure_has_a_pixel_edge_axis() -> None:
    d = figures.align_figure(explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, aligned=True))
    (top,) = [a for a in d.ax.child_axes]
    assert top.get_xlabel().startswith("image pixel edges")
    # pixel edge 2 is at coordinate 1.5: the axis maps coordinate v to edge v + 0.5
    assert top._functions[0](1.5) == 2.0  # noqa: SLF001
    no_axis = figures.align_figure(explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE))
    assert no_axis.ax.child_axes == []


def test_a_3x3_pool_figure_details_one_bin() -> None:
    m = np.arange(36.0).reshape(6, 6)
    d = figures.pool_figure(explain_roi_pool(m, (1.4, 2.2, 9.0, 8.6), 3, 0.5))
    assert len(d.bins) == 9 and len(d.ideal) == 1  # one bin with its ideal bin, the others outlined


def test_the_pool_figure_measures_the_misalignment_as_the_table_does() -> None:
    # Demo, bin (0, 0): columns 2…4 and rows 2…4 are read; the ideal bin is x [1.6, 4], y [2.3, 4.55].
    # The table's shifts (cell − ideal edge) are +0.4 / 0 along x and −0.3 / −0.55 along y; the
    # dotted span runs from the first cell's centre to the last's, so its gap to the dashed bin is
    # exactly those numbers.
    trace = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.pool_figure(trace)
    (span,) = d.spans
    assert (span.get_x(), span.get_y(), span.get_width(), span.get_height()) == (2, 2, 2, 2)
    dashed = next(r for r in d.ideal if r.get_linestyle() == "--" and r.get_x() == pytest.approx(1.6))
    shifts = {
        "x start": span.get_x() - dashed.get_x(),
        "x end": span.get_x() + span.get_width() - (dashed.get_x() + dashed.get_width()),
        "y start": span.get_y() - dashed.get_y(),
        "y end": span.get_y() + span.get_height() - (dashed.get_y() + dashed.get_height()),
    }
    assert shifts == pytest.approx({"x start": 0.4, "x end": 0.0, "y start": -0.3, "y end": -0.55})
    rows = {r.bin: r for r in trace.data.misalignment.bins if r.axis == "y"}
    assert rows[0].pooled[0] - rows[0].ideal[0] == pytest.approx(shifts["y start"])


def test_the_align_figure_names_its_marks_and_bins() -> None:
    d = figures.align_figure(explain_roi_align(DEMO_MAP, (-1.6, 5.0, 8.2, 13.8), 2, DEMO_SCALE, aligned=True))
    legend = [t.get_text() for t in d.ax.get_legend().get_texts()]
    assert legend == [
        "sampling point",
        "ringed: the bin's max",
        "×: where a point past the edge is read",
    ]
    assert {"(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"} <= {t.get_text() for t in d.labels}
