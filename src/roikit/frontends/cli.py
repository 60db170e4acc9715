"""The ``roikit`` command line (Typer), one function per command.

``demo`` (the embedded example), ``explain pool|align`` (your map and box,
``--backward`` for the gradient), ``compare`` (one box through every
library's convention), ``practice`` (a worksheet or its key), ``check`` (a
learner's answers, step by step) and ``explore`` (the local page). Each
parses its options, builds traces through :mod:`roikit.frontends.request`
and writes them with :mod:`roikit.render`; nothing is computed here.

Bad input gets one line on stderr, in ``--lang``'s language, and exit code
2, never a traceback; Ctrl-C exits with 130.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer

from .. import i18n
from ..errors import RoIError
from .files import check_output_path, shown, write_all, write_stdout
from .mapio import RequestError, message, prefix, read_answer
from .usage import usage_message

#: The language of error messages: set by each command from its --lang option.
_lang = "en"


class _OneLineErrors(typer.core.TyperGroup):
    """Every failure as one line on stderr, never a traceback.

    Usage errors (unknown option, bad choice, missing value) and bad input
    exit with code 2; Ctrl-C exits with 130 (what a shell reports for SIGINT)
    and leaves no file half-written; a bug exits with 1 and says so in one line
    (``ROIKIT_DEBUG=1`` shows its traceback).
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        global _lang
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except KeyboardInterrupt:
            sys.exit(130)
        except typer.Abort:  # click's own Ctrl-C
            sys.exit(130)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except RoIError as exc:
            _echo_line(_localized(exc), english=str(exc))
            sys.exit(2)
        except ImportError as exc:  # an optional dependency for figures: matplotlib, or a font
            from_font = type(exc).__name__ == "MissingFont"
            _echo_line(
                message(_lang, "figures.font") if from_font else message(_lang, "figures.missing", detail=exc)
            )
            sys.exit(2)
        except OSError as exc:  # a file or stream the command reads or writes failed
            where = f"{shown(exc.filename)}: " if getattr(exc, "filename", None) else ""
            _echo_line(message(_lang, "os", where=where, detail=exc.strerror or exc))
            sys.exit(2)
        except Exception as exc:  # click's exceptions, vendored or not, by their base class
            if any(c.__name__ == "ClickException" for c in type(exc).__mro__):
                if type(exc).__name__ == "NoArgsIsHelpError":  # bare `roikit`: the help, as before
                    typer.echo(exc.format_message())  # type: ignore[attr-defined]
                    sys.exit(2)
                _lang = _usage_lang(kwargs.get("args"))
                _echo_line(usage_message(exc, _lang), english=usage_message(exc, "en"))
                sys.exit(2)
            if os.environ.get("ROIKIT_DEBUG") == "1":
                raise
            _echo_line(message(_lang, "internal", kind=type(exc).__name__, detail=str(exc)[:200]))
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_lang(args: Any) -> str:
    """The --lang of a command line that failed to parse (its options were never read)."""
    words = list(sys.argv[1:] if args is None else args)
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return "en"


app = typer.Typer(
    cls=_OneLineErrors,
    help="RoI Pool and RoI Align, exact to the frameworks and worked out by hand.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"roikit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print roikit's version and stop."),
    ] = False,
) -> None:
    """RoI Pool and RoI Align, exact to the frameworks and worked out by hand."""


class Op(str, Enum):
    """What to explain."""

    pool = "pool"
    align = "align"


class Mode(str, Enum):
    """RoI Align aggregation."""

    max = "max"
    avg = "avg"


class CheckFormat(str, Enum):
    """What roikit check prints: lines for a person, or JSON for a grading script."""

    text = "text"
    json = "json"


class Format(str, Enum):
    """Output format."""

    text = "text"
    md = "md"
    latex = "latex"
    html = "html"
    json = "json"


def _language(value: str) -> str:
    """``--lang``: one of the catalogue's languages, read when the option is parsed.

    A language added to :data:`roikit.i18n.LANGUAGE_NAMES` is accepted at once,
    with no change here.
    """
    if value not in i18n.langs():
        choices = ", ".join(repr(lang) for lang in i18n.langs())
        raise typer.BadParameter(f"{value!r} is not one of {choices}.")
    return value


def _localized(exc: RoIError) -> str:
    """A refusal in the command's language; the API's own RoIErrors keep their English."""
    return exc.localized(_lang) if isinstance(exc, RequestError) else str(exc)


def _echo_line(text: str, english: str | None = None) -> None:
    """One line on stderr, with the error prefix.

    A terminal whose encoding cannot show the line (Korean on an ASCII
    terminal) gets its English version, and what it still cannot show escaped.
    """
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    line = f"{prefix(_lang)}{text}"
    try:
        line.encode(encoding)
    except UnicodeEncodeError:
        line = f"{prefix('en')}{english or text}"
    typer.echo(line.encode(encoding, "backslashreplace").decode(encoding), err=True)


def _fail(msg: str, /, **values: Any) -> NoReturn:
    """Refuse the command (one line on stderr, in its language, and exit code 2)."""
    raise RequestError(msg, **values)


def _set_lang(lang: Any) -> None:
    global _lang
    _lang = str(getattr(lang, "value", lang))


def _figure_module() -> Any:
    try:
        from ..render import figures
    except ImportError as exc:  # matplotlib is an optional dependency
        _fail("figures.missing", detail=exc)
    return figures


_FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _figure_bytes(trace: Any, path: Path, image: Any) -> bytes:
    import io

    figures = _figure_module()
    if trace.grad_input is not None:
        drawn = figures.backward_figure(trace)
    elif trace.op == "roi_pool":
        drawn = figures.pool_figure(trace, image=image)
    else:
        drawn = figures.align_figure(trace, image=image)
    buf = io.BytesIO()
    drawn.figure.savefig(buf, dpi=110, format=path.suffix.lower()[1:])
    return buf.getvalue()


def _write(files: list[tuple[Path, bytes]]) -> None:
    """Write every file or none (:func:`~roikit.frontends.files.write_all`) and say so."""
    for path in write_all(files):
        _echo_note(message(_lang, "wrote", path=shown(path)))


def _echo_note(text: str) -> None:
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    typer.echo(text.encode(encoding, "backslashreplace").decode(encoding), err=True)


def _emit(
    traces: list[Any],
    fmt: Format,
    bins: Any,
    output: Path | None,
    extra: list[tuple[Path, bytes]] | None = None,
    handout: bool = False,
) -> None:
    """Print or write the walkthrough, and with ``-o`` its figure files and ``extra``.

    Markdown and LaTeX write their figures beside the document; every file
    is written or none is.
    """
    from ..render import render, render_files

    files = list(extra or [])
    if output is None:
        if fmt is Format.text:
            from ..render.text import terminal_text

            write_stdout(terminal_text(traces, bins=bins))
        else:
            kwargs = {"handout": handout} if handout else {}
            write_stdout(render(traces, fmt.value, bins=bins, **kwargs))
    else:
        files = render_files(traces, fmt.value, output, bins, handout) + files
    _write(files)


def _check_handout(handout: bool, fmt: Format) -> None:
    if handout and fmt not in (Format.html, Format.latex):
        _fail("handout.format", fmt=fmt.value)


_LANG_HELP = (
    f"Language ({', '.join(i18n.langs())}) of the walkthrough, its figures and the error messages"
    " (--help itself stays in English)."
)
LangOpt = Annotated[str, typer.Option("--lang", help=_LANG_HELP, callback=_language, metavar="LANG")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
BinsOpt = Annotated[str, typer.Option("--bins", help="'auto' (big outputs show one bin in full) or 'all'.")]
BinOpt = Annotated[str | None, typer.Option("--bin", help="Expand only bin i,j.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE (Markdown and LaTeX also write their figures beside it)."
    ),
]
HandoutOpt = Annotated[
    bool,
    typer.Option(
        "--handout",
        help="A printable sheet (with --format "
        "html or latex): map, figures, one bin in full, the "
        "output, the comparison.",
    ),
]


@app.command()
def demo(
    lang: LangOpt = "en",
    mode: Annotated[
        Mode | None, typer.Option("--mode", help="Only this RoI Align mode (default: max, then avg).")
    ] = None,
    fmt: FormatOpt = Format.text,
    bins: BinsOpt = "auto",
    output: OutOpt = None,
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Also write the demo's figures (PNG) into DIR.")
    ] = None,
    handout: HandoutOpt = False,
) -> None:
    """Work out RoI Pool and RoI Align by hand on a small embedded example."""
    _set_lang(lang)
    from .demo import demo_traces

    check_output_path(output, "--output")
    if figures is not None and figures.exists() and not figures.is_dir():
        _fail("figures.file", path=figures)
    if figures is not None and not figures.parent.is_dir():
        _fail("figures.parent", path=figures, parent=figures.parent)
    from .request import parse_bins

    selected = parse_bins(bins, None)
    _check_handout(handout, fmt)
    _emit(demo_traces(lang, mode.value if mode else None), fmt, selected, output, handout=handout)
    if figures is not None:
        _figure_module()  # a clear error when matplotlib is missing
        from .demo import save_demo_figures

        for path in save_demo_figures(figures, lang=lang):
            _echo_note(message(_lang, "wrote", path=shown(path)))


@app.command()
def explain(
    op: Annotated[Op, typer.Argument(help="pool (RoI Pool) or align (RoI Align).")],
    map_: Annotated[
        str, typer.Option("--map", help="Inline rows '1 2 3; 4 5 6', or a .npy, .csv/.txt or image file.")
    ],
    box: Annotated[str, typer.Option("--box", help="x1,y1,x2,y2 in image pixels.")],
    output_size: Annotated[str, typer.Option("--output-size", help="N or H,W bins.")] = "2",
    spatial_scale: Annotated[float, typer.Option("--spatial-scale")] = 1.0,
    # Rich reads "[...]" as markup: the defaults are escaped so --help shows them.
    sampling_ratio: Annotated[
        int | None,
        typer.Option(
            "--sampling-ratio",
            help="RoI Align: points per bin and axis; <= 0 is adaptive. "
            "\\[default: 2, as in Figure 3; torchvision's is -1]",
        ),
    ] = None,
    aligned: Annotated[
        bool | None,
        typer.Option(
            "--aligned/--not-aligned",
            help="RoI Align: half-pixel offset (detectron2's ROIAlignV2). "
            "\\[default: not aligned, as torchvision]",
        ),
    ] = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            "--mode",
            help="RoI Align: max of each bin's points (Figure 3 of the Mask R-CNN paper) "
            "or avg (torchvision, detectron2, ONNX). \\[default: max]",
        ),
    ] = None,
    convention: Annotated[
        str | None, typer.Option("--convention", help="Use a library's settings (names: roikit compare).")
    ] = None,
    channel: Annotated[int | None, typer.Option("--channel", help="Channel of a 3-D .npy.")] = None,
    fmt: FormatOpt = Format.text,
    lang: LangOpt = "en",
    bins: BinsOpt = "auto",
    bin_: BinOpt = None,
    output: OutOpt = None,
    figure: Annotated[
        Path | None, typer.Option("--figure", help="Also draw the computation to FILE (.png, .svg or .pdf).")
    ] = None,
    handout: HandoutOpt = False,
    backward: Annotated[
        bool, typer.Option("--backward", help="Work out the backward pass: where each bin's gradient goes.")
    ] = False,
    grad: Annotated[
        str | None,
        typer.Option(
            "--grad",
            help="With --backward: the upstream "
            "gradient, one number or rows like '1 0; 0 1' "
            "\\[default: all ones].",
        ),
    ] = None,
) -> None:
    """Work out RoI Pool or RoI Align by hand on your own map and box."""
    _set_lang(lang)
    from .mapio import load_map
    from .request import build_walkthrough

    check_output_path(output, "--output")
    check_output_path(figure, "--figure", _FIGURE_SUFFIXES)
    _check_handout(handout, fmt)
    feature, image_path = load_map(map_)
    user_options = {
        "sampling_ratio": sampling_ratio,
        "aligned": aligned,
        "mode": mode.value if mode else None,
    }
    walk = build_walkthrough(
        op.value,
        feature,
        image_path,
        box,
        output_size,
        spatial_scale,
        user_options={k: v for k, v in user_options.items() if v is not None},
        convention=convention,
        channel=channel,
        lang=lang,
        bins=bins,
        bin_=bin_,
        backward=backward,
        grad=grad,
    )
    extra = []
    if figure is not None:
        extra.append((figure, _figure_bytes(walk.trace, figure, walk.picture)))
    _emit([walk.trace], fmt, walk.bins, output, extra, handout)


@app.command()
def compare(
    map_: Annotated[str, typer.Option("--map", help="Inline rows, or a .npy, .csv/.txt or image.")],
    box: Annotated[str, typer.Option("--box", help="x1,y1,x2,y2 in image pixels.")],
    output_size: Annotated[str, typer.Option("--output-size", help="N or H,W bins.")] = "2",
    spatial_scale: Annotated[float, typer.Option("--spatial-scale")] = 1.0,
    channel: Annotated[int | None, typer.Option("--channel", help="Channel of a 3-D .npy.")] = None,
    fmt: FormatOpt = Format.text,
    lang: LangOpt = "en",
    output: OutOpt = None,
) -> None:
    """Run one box through every library's convention and show why the numbers differ."""
    _set_lang(lang)
    from ..explain.conventions import compare_conventions
    from ..explain.inputs import feature_map
    from .mapio import load_map, parse_box, parse_output_size

    check_output_path(output, "--output")
    feature, _ = load_map(map_)
    inp, c = feature_map(feature, channel)
    coords = parse_box(box, spatial_scale)
    size = parse_output_size(output_size, feature.shape[-2:])
    trace = compare_conventions(inp[0, c], coords, size, spatial_scale, lang=lang)
    _emit([trace], fmt, "all", output)


@app.command()
def practice(
    op: Annotated[Op, typer.Argument(help="pool (RoI Pool) or align (RoI Align).")],
    level: Annotated[
        int,
        typer.Option(
            "--level",
            min=1,
            max=3,
            help="1: one bin; 2: 2x2 bins, a fractional box; 3: a box partly outside.",
        ),
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="The same seed gives the same exercise.")] = 0,
    lang: LangOpt = "en",
    fmt: FormatOpt = Format.text,
    output: OutOpt = None,
    key: Annotated[
        bool, typer.Option("--key", help="The answer key (the full walkthrough) instead of the sheet.")
    ] = False,
    handout: HandoutOpt = False,
) -> None:
    """An exercise to work by hand (a sheet to fill in), or its answer key."""
    _set_lang(lang)
    from ..practice import answer_key, make_exercise, worksheet

    check_output_path(output, "--output")
    _check_handout(handout, fmt)
    ex = make_exercise(op.value, level, seed)
    trace = answer_key(ex, lang) if key else worksheet(ex, lang)
    # A sheet is already a printed page; --handout makes the key one too (one page, every step).
    _emit([trace], fmt, "all", output, handout=handout and key)


@app.command()
def check(
    op: Annotated[Op, typer.Argument(help="pool (RoI Pool) or align (RoI Align).")],
    answer: Annotated[str, typer.Option("--answer", help="A JSON file of your numbers, or the JSON itself.")],
    level: Annotated[
        int | None,
        typer.Option(
            "--level", min=1, max=3, help="The exercise's level (with --seed). \\[default: 1 with --seed]"
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="The exercise's seed. \\[default: none: give --map]")
    ] = None,
    map_: Annotated[
        str | None, typer.Option("--map", help="Or your own map (as roikit explain). \\[default: none]")
    ] = None,
    box: Annotated[
        str | None, typer.Option("--box", help="x1,y1,x2,y2 with --map. \\[default: none]")
    ] = None,
    output_size: Annotated[str, typer.Option("--output-size", help="N or H,W bins, with --map.")] = "2",
    spatial_scale: Annotated[float, typer.Option("--spatial-scale", help="With --map.")] = 1.0,
    sampling_ratio: Annotated[
        int | None, typer.Option("--sampling-ratio", help="With --map. \\[default: 2, as roikit explain]")
    ] = None,
    aligned: Annotated[
        bool | None,
        typer.Option("--aligned/--not-aligned", help="With --map. \\[default: --not-aligned]"),
    ] = None,
    mode: Annotated[Mode | None, typer.Option("--mode", help="With --map. \\[default: max]")] = None,
    format_: Annotated[
        CheckFormat, typer.Option("--format", help="text for a person, json for a grading script.")
    ] = CheckFormat.text,
    lang: LangOpt = "en",
) -> None:
    """Check every step of your numbers; a wrong one is explained. Exit 0: all right, 1: some wrong."""
    _set_lang(lang)
    import json

    from ..explain import explain_roi_align
    from ..practice import ANSWER_KEYS, check_answers, make_exercise
    from .mapio import load_map
    from .request import build_walkthrough

    if seed is not None:
        ex = make_exercise(op.value, level or 1, seed)
        trace = ex.trace(lang)
    elif map_ is not None and box is not None:
        feature, image_path = load_map(map_)
        user_options = {
            "sampling_ratio": sampling_ratio,
            "aligned": aligned,
            "mode": mode.value if mode else None,
        }
        trace = build_walkthrough(
            op.value,
            feature,
            image_path,
            box,
            output_size,
            spatial_scale,
            user_options={k: v for k, v in user_options.items() if v is not None},
            lang=lang,
        ).trace
    else:
        raise RequestError("check.what")
    text_ = read_answer(answer)
    try:
        doc = json.loads(text_)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any answer is
        raise RequestError("check.json") from None
    if not isinstance(doc, dict):
        raise RequestError("check.json")
    other = None
    if trace.op == "roi_align":
        p = trace.params
        other = explain_roi_align(
            np.array(trace.feature),
            p["box"],
            tuple(p["output_size"]),
            p["spatial_scale"],
            p["sampling_ratio"],
            p["aligned"],
            "avg" if p["mode"] == "max" else "max",
        )
    result = check_answers(trace, doc, other)
    if not result.verdicts:
        raise RequestError("check.empty", steps=", ".join(ANSWER_KEYS[op.value]))
    if format_ is CheckFormat.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.lines():
            typer.echo(line)
    # A grading script reads the exit code: 0 only when every given step is right.
    raise typer.Exit(0 if result.right else 1)


@app.command()
def explore(
    map_: Annotated[
        str | None,
        typer.Option(
            "--map", help="Inline rows, or a .npy, .csv/.txt or image file. \\[default: the demo's map]"
        ),
    ] = None,
    box: Annotated[
        str | None, typer.Option("--box", help="x1,y1,x2,y2 in image pixels. \\[default: the demo's box]")
    ] = None,
    output_size: Annotated[str, typer.Option("--output-size", help="N or H,W bins.")] = "2",
    spatial_scale: Annotated[
        float | None, typer.Option("--spatial-scale", help="\\[default: the demo's 0.5, else 1]")
    ] = None,
    op: Annotated[Op, typer.Option("--op", help="pool or align.")] = Op.align,
    lang: LangOpt = "en",
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (only this one; 0.0.0.0 only when you mean it).")
    ] = "127.0.0.1",
    names: Annotated[
        list[str] | None,
        typer.Option("--name", help="Another name the page is opened by (a host name), repeatable."),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0 picks a free port.")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, max=64, help="Processes that answer (a class: one per core)."),
    ] = 1,
) -> None:
    """Drag the RoI on a local page and watch every bin, point, weight and output follow."""
    _set_lang(lang)
    from ..engine import budget
    from .demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE
    from .explore import ExploreServer
    from .mapio import load_map, parse_box, parse_output_size

    if map_ is None:
        feature, scale = DEMO_MAP, DEMO_SCALE if spatial_scale is None else spatial_scale
        coords = list(DEMO_BOX) if box is None else parse_box(box, scale)
    else:
        feature, _ = load_map(map_)
        scale = 1.0 if spatial_scale is None else spatial_scale
        if feature.ndim != 2:
            feature = feature[0]
        if feature.size > budget.MAX_EXPLORE_CELLS:
            raise RequestError("map.too_many", where="--map", limit=budget.MAX_EXPLORE_CELLS)
        h, w = feature.shape
        coords = [0.0, 0.0, (w - 1) / scale, (h - 1) / scale] if box is None else parse_box(box, scale)
    parse_output_size(output_size, feature.shape)
    start = {
        "map": np.asarray(feature).tolist(),
        "box": coords,
        "op": op.value,
        "output_size": output_size,
        "spatial_scale": scale,
        "lang": lang,
        "sampling_ratio": 2,
        "aligned": False,
        "mode": "max",
    }
    try:
        server = ExploreServer(start, host, port, tuple(names or ()))
    except OSError as exc:
        raise RequestError("explore.bind", host=host, port=port, detail=exc.strerror or exc) from None
    from .explore.server import is_loopback

    if not is_loopback(host):
        typer.echo(message(lang, "explore.public", host=host), err=True)
    typer.echo(f"roikit explore: {server.url}")
    if not no_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve(workers)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    """Entry point of the ``roikit`` script."""
    app()
