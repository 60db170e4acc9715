"""The explorer in a notebook: the same page, talking to the kernel instead of the HTTP API.

:func:`widget` returns an `anywidget <https://anywidget.dev>`_ widget whose
front end is ``explore.js`` itself; each question the page asks (a trace, a
sweep, a command line) goes to the kernel as a ``request`` and comes back as
a ``response`` computed by :mod:`roikit.frontends.explore.api`, so a notebook shows the
engine's numbers exactly as the local page does.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np

from ...errors import RoIError
from ..mapio import RequestError
from .api import QUESTIONS, page_words, query_lang, refusal

__all__ = ["answer", "widget"]

# The page's module, plus an anywidget entry point and a backend that asks the kernel.
_GLUE = """
function modelBackend(model) {
  let next = 0;
  function ask(kind, params) {
    const id = ++next;
    return new Promise((resolve, reject) => {
      const done = () => {
        const r = model.get("response");
        if (!r || r.id !== id) return;
        model.off("change:response", done);
        r.ok ? resolve(r.body) : reject(new Error(r.body));
      };
      model.on("change:response", done);
      model.set("request", {id, kind, params});
      model.save_changes();
    });
  }
  return {
    start: async () => model.get("start"),
    explain: (p) => ask("explain", p).then((text) => JSON.parse(text)),
    live: (p) => ask("live", p).then((text) => JSON.parse(text)),
    sweep: (p) => ask("sweep", p),
    command: (p) => ask("command", p),
    exportUrl: () => "#",
    uploadMap: async () => { throw new Error("load files with roikit.widget(feature=...)"); },
  };
}
export default { async render({ model, el }) { await mount(el, modelBackend(model)); } };
"""


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The kernel's reply to one question of the page: ``{"id", "ok", "body"}``.

    Examples
    --------
    >>> r = answer({"id": 1, "kind": "command", "params": {"op": "pool", "map": "1 2; 3 4",
    ...                                                     "box": "0,0,1,1", "output_size": "1"}})
    >>> r["ok"], r["body"]["command"][:26]
    (True, 'roikit explain pool --map ')
    """
    params = dict(request.get("params") or {})
    ask = QUESTIONS.get(str(request.get("kind")))
    if ask is None:
        return {"id": request.get("id"), "ok": False, "body": f"unknown request {request.get('kind')!r}"}
    try:
        body = ask(params)
    except RoIError as exc:
        return {"id": request.get("id"), "ok": False, "body": refusal(exc, query_lang(params))}
    return {"id": request.get("id"), "ok": True, "body": body}


def widget(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int] = 2,
    spatial_scale: float = 1.0,
    op: str = "align",
    lang: str = "en",
    sampling_ratio: int = 2,
    aligned: bool = False,
    mode: str = "max",
) -> Any:
    """The explorer as a notebook widget (needs ``pip install 'roikit[notebook]'``).

    Parameters
    ----------
    feature : array of shape (H, W)
        The map (at most 256 × 256).
    box : 4 numbers
        ``(x1, y1, x2, y2)`` in image pixels.
    output_size, spatial_scale, op, lang, sampling_ratio, aligned, mode
        The starting settings; the page changes them.
    """
    import anywidget
    import traitlets

    from ...engine.validate import check_real_array

    m = check_real_array(feature, "feature", "(H, W)")
    if m.ndim != 2:
        raise RequestError("map.npy_shape", spec="feature", shape=m.shape, dtype=m.dtype)
    size = output_size if isinstance(output_size, int) else f"{output_size[0]},{output_size[1]}"
    static = resources.files(__package__).joinpath("static")
    script = static.joinpath("explore.js").read_text(encoding="utf-8")

    class ExploreWidget(anywidget.AnyWidget):  # type: ignore[misc]
        _esm = script + _GLUE
        _css = static.joinpath("explore.css").read_text(encoding="utf-8")
        start = traitlets.Dict().tag(sync=True)
        request = traitlets.Dict().tag(sync=True)
        response = traitlets.Dict().tag(sync=True)

        @traitlets.observe("request")
        def _reply(self, change: Any) -> None:
            self.response = answer(change["new"])

    return ExploreWidget(
        start={
            "map": np.asarray(m, float).tolist(),
            "box": [float(v) for v in box],
            "op": op,
            "output_size": str(size),
            "spatial_scale": spatial_scale,
            "lang": lang,
            "sampling_ratio": sampling_ratio,
            "aligned": aligned,
            "mode": mode,
            "words": page_words(),
        }
    )
