"""Step text of the walkthroughs in English and Korean.

Templates are filled with numbers already formatted by the explainer; a key
missing in one language is a bug (a test checks both have the same keys).
"""

from __future__ import annotations

LANGS = ("en", "ko")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # input
        "input.title": "Input",
        "input.map": "Feature map: {h} × {w} cells (row = y, column = x){channel}.",
        "input.channel": ", channel {c}",
        "input.box": "RoI (x1, y1, x2, y2) = ({x1}, {y1}, {x2}, {y2}) in image pixels; "
        "spatial_scale = {s}; output {ph} × {pw} bins.",
        "input.table": "feature map",
        "input.window": "The map is large: rows {r0}…{r1} and columns {c0}…{c1}, around the box, "
        "are shown.",
        "pool.bin.window": "The bin is large: rows {r0}…{r1} and columns {c0}…{c1}, around its "
        "maximum, are shown.",
        "align.bin.more": "… and {n} more points, not written out; the bin's value uses all {count}.",
        # RoI Pool
        "pool.scale.title": "1. Scale the box onto the feature map",
        "pool.scale.line": "{name} × spatial_scale = {v} × {s} = {r}",
        "pool.round.title": "2. Round each corner to a whole cell (the quantization of RoI Pool)",
        "pool.round.line": "{name}: {real} → {rounded}",
        "pool.round.half": "{name}: {real} → {rounded} (exactly a half: C's round goes away "
        "from zero; numpy's round-half-even would give {even})",
        "pool.size.title": "3. Size in cells, counting both end cells",
        "pool.size.line": "{axis} = {end} − {start} + 1 = {size} cells",
        "pool.size.clamped": "{axis} = {end} − {start} + 1 = {raw} → at least 1 cell: {size}",
        "pool.binsize.title": "4. Bin size",
        "pool.binsize.line": "bin {axis} = {size} / {bins} = {b} cells",
        "pool.ranges.title": "5. The cells of each bin: floor for the start, ceil for the end",
        "pool.ranges.line": "{axis} bin {i}: ⌊{i} × {b}⌋ + {start} = {lo},  ⌈{i1} × {b}⌉ + {start} "
        "= {hi}  →  {cells} {first}…{last}",
        "pool.ranges.empty_range": "{axis} bin {i}: ⌊{i} × {b}⌋ + {start} = {lo},  "
        "⌈{i1} × {b}⌉ + {start} = {hi}",
        "pool.ranges.overlap": "  (shares {cells} {first}…{last} with bin {j}: bins overlap)",
        "pool.ranges.overlap_one": "  (shares {cell} {first} with bin {j}: bins overlap)",
        "pool.ranges.clipped": "  (clipped to the map: {cells} {first}…{last})",
        "pool.ranges.empty": "  (nothing left on the map: the bin is empty and outputs 0)",
        "axis.rows": "rows",
        "axis.cols": "columns",
        "axis.row": "row",
        "axis.col": "column",
        "axis.width": "width",
        "axis.height": "height",
        "pool.bin.title": "6. Bin ({ph}, {pw}): rows {r0}…{r1}, columns {c0}…{c1}",
        "pool.bin.title_empty": "6. Bin ({ph}, {pw}): empty",
        "pool.bin.max": "max = {v}, at (row {r}, column {c})",
        "pool.bin.tie": " (it appears {n} times; the first in row-major order wins)",
        "pool.bin.empty": "No cell of this bin lies on the map: output 0.",
        "pool.bin.table": "cells of bin ({ph}, {pw})",
        "output.title": "Output",
        "output.line": "The {ph} × {pw} output, one value per bin:",
        "output.table": "output",
        "pool.mis.title": "What rounding cost: the misalignment",
        "pool.mis.intro": "Rounding picks the cell whose centre is nearest, so cell i is centred "
        "at i and covers [i − 0.5, i + 0.5). The box on the map is [{x1}, {x2}] × [{y1}, {y2}]; "
        "RoI Pool uses cells {xs}…{xe} × {ys}…{ye}, i.e. [{sx1}, {sx2}) × [{sy1}, {sy2}).",
        "pool.mis.side": "{side} edge: {real} → {snapped} ({shift} cells, {effect})",
        "pool.mis.gain": "gains a strip",
        "pool.mis.lose": "loses a strip",
        "pool.mis.same": "unchanged",
        "side.left": "left",
        "side.right": "right",
        "side.top": "top",
        "side.bottom": "bottom",
        "pool.mis.area": "Area: the box covers {a} cells, the snapped box {b} cells; "
        "{lost} cells of the box fall outside the snapped box and {gained} cells outside "
        "the box were pooled.",
        # RoI Align
        "align.scale.title": "1. Scale the box onto the feature map (nothing is rounded)",
        "align.scale.offset": "aligned=True: subtract 0.5, because cell i's value sits at "
        "its centre i + 0.5 (half-pixel model)",
        "align.scale.legacy": "aligned=False: the legacy integer grid, cell i's value sits at i",
        "align.scale.line": "{name} × spatial_scale{minus} = {v} × {s}{minus} = {r}",
        "align.size.title": "2. Box size and bin size",
        "align.size.line": "{axis} = {end} − {start} = {size}",
        "align.size.raised": "{axis} = {end} − {start} = {raw} → raised to 1 (aligned=False)",
        "align.size.bin": "bin {axis} = {size} / {bins} = {b}",
        "align.grid.title": "3. Sampling points per bin",
        "align.grid.fixed": "sampling_ratio = {sr}: {gh} × {gw} points per bin",
        "align.grid.adaptive": "sampling_ratio ≤ 0 (adaptive): ⌈height / {ph}⌉ = ⌈{h}⌉ = {gh} "
        "rows and ⌈width / {pw}⌉ = ⌈{w}⌉ = {gw} columns of points per bin",
        "align.grid.count": "count = {gh} × {gw} = {n} points per bin",
        "align.grid.none": "A grid of {gh} × {gw} has no points: every bin outputs 0.",
        "align.coords.title": "4. Where the points sit",
        "align.coords.formula": "{c} = ({start} + bin × {b}) + (i + 0.5) × {b} / {g}",
        "align.coords.line": "{axis} bin {p}: {c} = {values}",
        "align.coords.more": " … ({n} points, {m} of them near the map)",
        "align.bin.title": "5. Bin ({ph}, {pw})",
        "align.bin.table": "sampling points of bin ({ph}, {pw})",
        "align.bin.cols": "y|x|neighbour cells (row, col) = value|weights|value",
        "align.bin.point": "point {n}",
        "align.bin.outside": "outside [−1, {h}] × [−1, {w}]: worth 0",
        "align.bin.arith": "point {n} at (y, x) = ({y}, {x}): {expr} = {v}",
        "align.bin.arith_out": "point {n} at (y, x) = ({y}, {x}) is outside [−1, {h}] × [−1, {w}]: "
        "worth 0, but it still counts",
        "align.bin.clamp_low": "{c} = {v} lies in [−1, 0): clamped to 0, so it reads {what} 0",
        "align.bin.clamp_high": "{c} = {v} ≥ {last}: both neighbours are {what} {last}",
        "align.bin.max": "max of the {n} points = {v}  ← point {k}",
        "align.bin.max_zero": "max of the {n} points = 0  ← a point outside the map (worth 0) wins",
        "align.bin.max_none": "no point won (all values are NaN): {v}",
        "align.bin.avg": "average = ({terms}) / {n} = {v}",
        "align.bin.avg_long": "average = (sum of {k} points on the map) / {n} = {v}",
        "align.bin.nosamples": "This bin has no sampling points: output 0.",
        "align.summary.title": "Every bin at a glance",
        "align.summary.table": "bins",
        "align.summary.cols": "value|winner",
        "align.summary.outside": "0 (a point off the map)",
        "pool.summary.cols": "rows|columns|value|winner (row, col)",
        "summary.collapsed": "Bin {first} is worked out in full above; the other bins follow "
        "the same steps (use --bins all or --bin i,j to expand them).",
        # comparison
        "cmp.title": "RoI Pool and RoI Align side by side",
        "cmp.pool": "RoI Pool",
        "cmp.align": "RoI Align ({mode})",
        "cmp.diff": "difference",
        "cmp.line1": "RoI Pool snapped the box to cells {xs}…{xe} × {ys}…{ye} and its bins to "
        "whole cells, then took the plain maximum of each bin.",
        "cmp.line2": "RoI Align kept the box at [{x1}, {x2}] × [{y1}, {y2}], split it into equal "
        "bins of {bw} × {bh} cells, and read each bin at {n} interpolated points.",
        "cmp.line3": "Largest difference: {d} in bin ({ph}, {pw}).",
        "mode.max": "max",
        "mode.avg": "average",
        "doc.roi_pool": "RoI Pool, worked out by hand",
        "doc.roi_align": "RoI Align ({mode}), worked out by hand",
        "doc.compare": "RoI Pool vs RoI Align",
        "doc.conventions": "One box through every convention",
    },
    "ko": {
        "input.title": "입력",
        "input.map": "특징 맵: {h} × {w} 칸 (행 = y, 열 = x){channel}.",
        "input.channel": ", 채널 {c}",
        "input.box": "RoI (x1, y1, x2, y2) = ({x1}, {y1}, {x2}, {y2}) (이미지 픽셀 좌표), "
        "spatial_scale = {s}, 출력 크기 {ph} × {pw}.",
        "input.table": "특징 맵",
        "input.window": "맵이 커서 박스 주변의 행 {r0}…{r1}, 열 {c0}…{c1}만 보입니다.",
        "pool.bin.window": "구간이 커서 최댓값 주변의 행 {r0}…{r1}, 열 {c0}…{c1}만 보입니다.",
        "align.bin.more": "… 나머지 점 {n}개는 생략했습니다. 구간의 값은 점 {count}개 모두로 계산합니다.",
        "pool.scale.title": "1. 박스를 특징 맵 좌표로 옮기기",
        "pool.scale.line": "{name} × spatial_scale = {v} × {s} = {r}",
        "pool.round.title": "2. 모서리를 정수 칸으로 반올림하기 (RoI Pool의 양자화)",
        "pool.round.line": "{name}: {real} → {rounded}",
        "pool.round.half": "{name}: {real} → {rounded} (정확히 0.5이므로 C의 round는 0에서 먼 "
        "쪽으로 반올림합니다. numpy의 round(짝수 쪽 반올림)라면 {even})",
        "pool.size.title": "3. 양 끝 칸을 모두 세어 크기 구하기",
        "pool.size.line": "{axis} = {end} − {start} + 1 = {size} 칸",
        "pool.size.clamped": "{axis} = {end} − {start} + 1 = {raw} → 최소 1칸: {size}",
        "pool.binsize.title": "4. 구간(bin) 크기",
        "pool.binsize.line": "구간 {axis} = {size} / {bins} = {b} 칸",
        "pool.ranges.title": "5. 각 구간이 덮는 칸: 시작은 내림, 끝은 올림",
        "pool.ranges.line": "{axis} 구간 {i}: ⌊{i} × {b}⌋ + {start} = {lo},  ⌈{i1} × {b}⌉ + {start} "
        "= {hi}  →  {cells} {first}…{last}",
        "pool.ranges.empty_range": "{axis} 구간 {i}: ⌊{i} × {b}⌋ + {start} = {lo},  "
        "⌈{i1} × {b}⌉ + {start} = {hi}",
        "pool.ranges.overlap": "  ({cells} {first}…{last}은(는) 구간 {j}과(와) 겹칩니다)",
        "pool.ranges.overlap_one": "  ({cell} {first}은(는) 구간 {j}과(와) 겹칩니다)",
        "pool.ranges.clipped": "  (맵 밖은 잘라냄: {cells} {first}…{last})",
        "pool.ranges.empty": "  (맵 위에 남는 칸이 없어 빈 구간이 되고 출력은 0)",
        "axis.rows": "행",
        "axis.cols": "열",
        "axis.row": "행",
        "axis.col": "열",
        "axis.width": "너비",
        "axis.height": "높이",
        "pool.bin.title": "6. 구간 ({ph}, {pw}): 행 {r0}…{r1}, 열 {c0}…{c1}",
        "pool.bin.title_empty": "6. 구간 ({ph}, {pw}): 비어 있음",
        "pool.bin.max": "최댓값 = {v}, 위치 (행 {r}, 열 {c})",
        "pool.bin.tie": " (같은 값이 {n}번 나오며, 행 우선 순서로 처음 나온 칸이 선택됩니다)",
        "pool.bin.empty": "이 구간에는 맵 위의 칸이 없으므로 출력은 0입니다.",
        "pool.bin.table": "구간 ({ph}, {pw})의 칸",
        "output.title": "출력",
        "output.line": "구간마다 값 하나씩, {ph} × {pw} 출력:",
        "output.table": "출력",
        "pool.mis.title": "반올림의 대가: 어긋남(misalignment)",
        "pool.mis.intro": "반올림은 중심이 가장 가까운 칸을 고르므로, 칸 i의 중심은 i이고 칸은 "
        "[i − 0.5, i + 0.5)를 덮습니다. 맵 위의 박스는 [{x1}, {x2}] × [{y1}, {y2}]인데, RoI Pool은 "
        "칸 {xs}…{xe} × {ys}…{ye}, 즉 [{sx1}, {sx2}) × [{sy1}, {sy2})를 씁니다.",
        "pool.mis.side": "{side} 변: {real} → {snapped} ({shift}칸, {effect})",
        "pool.mis.gain": "띠 모양 영역이 더해짐",
        "pool.mis.lose": "띠 모양 영역이 잘려 나감",
        "pool.mis.same": "그대로",
        "side.left": "왼쪽",
        "side.right": "오른쪽",
        "side.top": "위쪽",
        "side.bottom": "아래쪽",
        "pool.mis.area": "넓이: 원래 박스는 {a}칸, 반올림한 박스는 {b}칸입니다. 원래 박스 중 "
        "{lost}칸이 빠졌고, 박스 밖의 {gained}칸이 풀링에 들어갔습니다.",
        "align.scale.title": "1. 박스를 특징 맵 좌표로 옮기기 (반올림 없음)",
        "align.scale.offset": "aligned=True: 칸 i의 값은 칸의 중심 i + 0.5에 있다고 보므로 "
        "0.5를 뺍니다 (half-pixel 모델)",
        "align.scale.legacy": "aligned=False: 예전 방식의 정수 격자로, 칸 i의 값이 좌표 i에 있다고 봅니다",
        "align.scale.line": "{name} × spatial_scale{minus} = {v} × {s}{minus} = {r}",
        "align.size.title": "2. 박스 크기와 구간 크기",
        "align.size.line": "{axis} = {end} − {start} = {size}",
        "align.size.raised": "{axis} = {end} − {start} = {raw} → 1로 올림 (aligned=False)",
        "align.size.bin": "구간 {axis} = {size} / {bins} = {b}",
        "align.grid.title": "3. 구간마다 샘플링 점 개수 정하기",
        "align.grid.fixed": "sampling_ratio = {sr}: 구간마다 {gh} × {gw}개의 점",
        "align.grid.adaptive": "sampling_ratio ≤ 0 (적응형): 높이 방향 ⌈높이 / {ph}⌉ = ⌈{h}⌉ = {gh}개, "
        "너비 방향 ⌈너비 / {pw}⌉ = ⌈{w}⌉ = {gw}개의 점",
        "align.grid.count": "구간마다 점 개수 count = {gh} × {gw} = {n}",
        "align.grid.none": "{gh} × {gw} 격자에는 점이 없으므로 모든 구간의 출력은 0입니다.",
        "align.coords.title": "4. 점의 위치",
        "align.coords.formula": "{c} = ({start} + 구간 번호 × {b}) + (i + 0.5) × {b} / {g}",
        "align.coords.line": "{axis} 구간 {p}: {c} = {values}",
        "align.coords.more": " … (점 {n}개 중 맵 근처의 {m}개)",
        "align.bin.title": "5. 구간 ({ph}, {pw})",
        "align.bin.table": "구간 ({ph}, {pw})의 샘플링 점",
        "align.bin.cols": "y|x|이웃 칸 (행, 열) = 값|가중치|값",
        "align.bin.point": "점 {n}",
        "align.bin.outside": "[−1, {h}] × [−1, {w}] 밖: 값 0",
        "align.bin.arith": "점 {n} (y, x) = ({y}, {x}): {expr} = {v}",
        "align.bin.arith_out": "점 {n} (y, x) = ({y}, {x})은(는) [−1, {h}] × [−1, {w}] 밖에 있어 "
        "값은 0이지만, 개수에는 들어갑니다",
        "align.bin.clamp_low": "{c} = {v}는 [−1, 0) 안에 있어 0으로 당겨지므로 {what} 0을 읽습니다",
        "align.bin.clamp_high": "{c} = {v} ≥ {last}이므로 두 이웃 모두 {what} {last}입니다",
        "align.bin.max": "점 {n}개의 최댓값 = {v}  ← 점 {k}",
        "align.bin.max_zero": "점 {n}개의 최댓값 = 0  ← 맵 밖의 점(값 0)이 선택됨",
        "align.bin.max_none": "선택된 점이 없음 (모든 값이 NaN): {v}",
        "align.bin.avg": "평균 = ({terms}) / {n} = {v}",
        "align.bin.avg_long": "평균 = (맵 위의 점 {k}개의 합) / {n} = {v}",
        "align.bin.nosamples": "이 구간에는 샘플링 점이 없으므로 출력은 0입니다.",
        "align.summary.title": "모든 구간 한눈에 보기",
        "align.summary.table": "구간",
        "align.summary.cols": "값|선택된 점",
        "align.summary.outside": "0 (맵 밖의 점)",
        "pool.summary.cols": "행|열|값|최댓값 위치 (행, 열)",
        "summary.collapsed": "구간 {first}은(는) 위에서 모두 풀어 보였고, 나머지 구간도 같은 "
        "순서로 계산됩니다 (--bins all 또는 --bin i,j로 펼쳐 볼 수 있습니다).",
        "cmp.title": "RoI Pool과 RoI Align 비교",
        "cmp.pool": "RoI Pool",
        "cmp.align": "RoI Align ({mode})",
        "cmp.diff": "차이",
        "cmp.line1": "RoI Pool은 박스를 칸 {xs}…{xe} × {ys}…{ye}에 맞추고 구간도 정수 칸으로 "
        "나눈 뒤, 구간마다 단순 최댓값을 골랐습니다.",
        "cmp.line2": "RoI Align은 박스를 [{x1}, {x2}] × [{y1}, {y2}] 그대로 두고 {bw} × {bh} 칸 "
        "크기의 같은 구간으로 나눈 뒤, 구간마다 보간한 점 {n}개를 읽었습니다.",
        "cmp.line3": "가장 큰 차이: 구간 ({ph}, {pw})에서 {d}.",
        "mode.max": "최댓값",
        "mode.avg": "평균",
        "doc.roi_pool": "RoI Pool 손으로 계산하기",
        "doc.roi_align": "RoI Align ({mode}) 손으로 계산하기",
        "doc.compare": "RoI Pool과 RoI Align 비교",
        "doc.conventions": "같은 박스, 라이브러리별 규약 비교",
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if a walkthrough can be written in it, or raise."""
    if not isinstance(lang, str) or lang not in LANGS:
        from ..errors import ParameterError

        raise ParameterError(f"lang must be 'en' or 'ko'; got {lang!r}")
    return lang


def text(lang: str, key: str, **values: object) -> str:
    """Return the template ``key`` in ``lang``, filled with ``values``."""
    return TEXT[lang][key].format(**values)
