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
        "input.convention": "Convention {name} ({library}): its settings are the ones below.",
        "input.table": "feature map",
        "input.same_map": "The feature map is the one shown above.",
        "input.window": "The map is large: rows {r0}…{r1} and columns {c0}…{c1} are shown, with "
        "every cell {what} reads.",
        "input.window.bin": "bin ({ph}, {pw})",
        "input.window.box": "the box",
        "source.image": "The map is the picture's grey values (0.299 R + 0.587 G + 0.114 B).",
        "source.image_exact": "The map is the picture's own values ({mode} image, read exactly).",
        "source.pooled": "The map is the picture's grey values (0.299 R + 0.587 G + 0.114 B) "
        "averaged over {k} × {k} blocks, as a backbone of stride {k} would shrink it; the box "
        "stays in the picture's pixels and spatial_scale = 1/{k} brings it onto the map.",
        "pool.bin.window": "The bin is large: rows {r0}…{r1} and columns {c0}…{c1}, around its "
        "maximum, are shown.",
        "align.bin.more": "… and {n} more points, not written out; the bin's value uses all {count}.",
        # RoI Pool
        "pool.scale.title": "1. Project the box onto the feature map (multiply by spatial_scale)",
        "pool.scale.line": "{name} × spatial_scale = {v} × {s} = {r}",
        "pool.round.title": "2. Round the four coordinates to whole cells (RoI Pool's first quantization)",
        "pool.round.line": "{name}: {real} → {rounded}",
        "pool.round.half": "{name}: {real} → {rounded} (the fraction is exactly .5: C's round goes "
        "away from zero; numpy's round, half to even, would give {even})",
        "pool.size.title": "3. Size in cells, counting both end cells",
        "pool.size.line": "{axis} = {end} − {start} + 1 = {size} cells",
        "pool.size.clamped": "{axis} = {end} − {start} + 1 = {raw} → at least 1 cell: {size}",
        "pool.binsize.title": "4. Bin size",
        "pool.binsize.line": "bin {axis} = {size} / {bins} = {b} cells",
        "pool.ranges.title": "5. The cells of each bin: floor for the start, ceil for the end, the "
        "end excluded (RoI Pool's second quantization)",
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
        "pool.bin.tie": " (the maximum appears {n} times; the first in row-major order wins)",
        "pool.bin.empty": "No cell of this bin lies on the map: output 0.",
        "pool.bin.table": "cells of bin ({ph}, {pw})",
        "output.title": "Output",
        "output.line": "The {ph} × {pw} output, one value per bin:",
        "output.table": "output",
        "pool.mis.title": "7. The misalignment: what the two quantizations moved",
        "pool.mis.model": "RoI Pool works on whole cells: cell i's value sits at coordinate i, and "
        "rounding moves each coordinate to the nearest cell (the coordinate model of "
        "aligned=False).",
        "pool.mis.edges": "Quantization 1, the box: each edge moves to the cell it was rounded to "
        "(shift = cell − edge, in cells and in image pixels):",
        "pool.mis.edge": "{side} edge {name} = {box} → {cell} {pooled}: {shift} cells ({px} image px)",
        "pool.mis.noshift": "The box lies on whole cells already: rounding moves no edge.",
        "pool.mis.plus1": "The +1 of step 3 is not rounding: Caffe counts the end cell as part of "
        "the box (x2 is an inclusive pixel index), so {cells} {s}…{e} are {e} − {s} + 1 = {n} cells.",
        "pool.mis.bins": "Quantization 2, the bins: the ideal bin p of the box is "
        "[x1 + p·w/P, x1 + (p+1)·w/P] with w = x2 − x1 = {w} (rows likewise with h = y2 − y1 = {h}); "
        "RoI Pool reads whole cells instead:",
        "pool.mis.table": "ideal bins against the cells RoI Pool reads (shift = cell − ideal edge)",
        "pool.mis.cols": "ideal bin|cells read|start shift|end shift",
        "pool.mis.binlabel": "{axis} bin {p}",
        "pool.mis.align": "RoI Align uses exactly these ideal bins, with nothing rounded "
        "(aligned=True moves all of them by −0.5 into the half-pixel model).",
        "pool.mis.floor": "Caffe and torchvision take the floor of a bin's start and the ceiling of "
        "its end, so no cell is dropped and neighbouring bins may share one. Tutorials that round "
        "both ends down give each of the {bins} bins ⌊{size} / {bins}⌋ = {each} {cells} and drop "
        "the last {dropped}.",
        "pool.mis.floor_even": "Caffe and torchvision take the floor of a bin's start and the "
        "ceiling of its end, so no cell is ever dropped (here each bin happens to hold a whole "
        "number of cells).",
        "side.left": "left",
        "side.right": "right",
        "side.top": "top",
        "side.bottom": "bottom",
        # RoI Align
        "align.scale.title": "1. Project the box onto the feature map (nothing is rounded: no quantization)",
        "align.scale.offset": "aligned=True (half-pixel model): cell i covers [i, i + 1) and its "
        "value sits at its centre i + 0.5, so 0.5 is subtracted from every coordinate. The original "
        "RoI Align kept RoI Pool's integer grid, a half-cell misalignment of its own that "
        "detectron2 removed with aligned=True.",
        "align.scale.legacy": "aligned=False (the original RoI Align, torchvision's default): cell "
        "i's value sits at coordinate i, as in RoI Pool, and the box is not shifted "
        "(aligned=True would subtract 0.5: the half-pixel model).",
        "align.scale.line": "{name} × spatial_scale{minus} = {v} × {s}{minus} = {r}",
        "align.settings": "Settings: the {mode} of {grid} points per bin, aligned={aligned}. "
        "torchvision.ops.roi_align averages (it has no max), with "
        "sampling_ratio=-1 (adaptive) and aligned=False by default.",
        "align.settings.adaptive": "an adaptive number of",
        "align.settings.max": "The max is how Figure 3 of the Mask R-CNN paper is read (mmcv's "
        "pool_mode='max'); mode='avg' gives the libraries' average.",
        "align.size.title": "2. Box size and bin size",
        "align.size.line": "{axis} = {end} − {start} = {size}",
        "align.size.raised": "{axis} = {end} − {start} = {raw} → less than 1, so 1 (aligned=False)",
        "align.size.bin": "bin {axis} = {size} / {bins} = {b}",
        "align.grid.title": "3. Sampling points per bin",
        "align.grid.fixed": "sampling_ratio = {sr}: a grid of {gh} rows × {gw} columns of points in "
        "every bin",
        "align.grid.adaptive": "sampling_ratio ≤ 0 (adaptive): in every bin ⌈height / {ph}⌉ = ⌈{h}⌉ "
        "= {gh} rows and ⌈width / {pw}⌉ = ⌈{w}⌉ = {gw} columns of points",
        "align.grid.count": "points per bin: {gh} × {gw} = {n}",
        "align.grid.none": "A grid of {gh} × {gw} has no points: every bin outputs 0.",
        "align.coords.title": "4. Where the sampling points sit",
        "align.coords.formula": "{c} = ({start} + bin × {b}) + (i + 0.5) × {b} / {g}, where "
        "i = 0, 1, … numbers the points within a bin",
        "align.coords.line": "{axis} bin {p}: {c} = {values}",
        "align.coords.more": " … ({n} points, {m} of them near the map)",
        "align.bin.title": "5. Bin ({ph}, {pw}): bilinear interpolation at each point",
        "align.derive.head": "point {n} at (y, x) = ({y}, {x}), bilinear interpolation worked out:",
        "align.derive.axis": "  {c} = {v} lies between {what} {low} and {high}: l{c} = {v} − {low} "
        "= {lo}, h{c} = 1 − l{c} = {hi}",
        "align.derive.axis_low": "  {c} = {v} lies in [−1, 0): it is clamped to 0, so {what} {low} "
        "and {high} with l{c} = {lo}, h{c} = {hi}",
        "align.derive.axis_high": "  {c} = {v} ≥ {last}, the last of the {what}: both neighbours are "
        "{last}, with l{c} = {lo}, h{c} = {hi}",
        "align.derive.areas": "  each neighbour's weight is the area of the rectangle opposite it:",
        "align.derive.weight": "  ({r}, {q}) = {v}: weight {name} = {a} × {b} {eq} {w}",
        "align.derive.sum": "  the four weights add up to {terms} {eq} {total}",
        "align.derive.value": "  value = {expr} {eq} {v}",
        "align.bin.point": "point {n}",
        "align.bin.arith": "point {n} at (y, x) = ({y}, {x}): {expr} {eq} {v}",
        "align.bin.arith_out": "point {n} at (y, x) = ({y}, {x}) is outside [−1, {h}] × [−1, {w}]: "
        "worth 0, but it still counts (in the average's divisor; in the max, its 0 competes)",
        "align.bin.clamp_low": "{c} = {v} lies in [−1, 0): clamped to 0, so it reads {what} 0",
        "align.bin.clamp_high": "{c} = {v} ≥ {last}: both neighbours are {what} {last}",
        "align.bin.max": "max of the {n} points = {v}  ← point {k}",
        "align.bin.max_zero": "max of the {n} points = 0  ← a point outside the map (worth 0) wins",
        "align.bin.max_none": "no point won (all values are NaN): {v}",
        "align.bin.avg": "average = ({terms}) / {n} {eq} {v}",
        "align.bin.avg_long": "average = (sum of the {k} points on the map) / {n} = {v}",
        "align.bin.nosamples": "This bin has no sampling points: output 0.",
        "align.summary.title": "The other bins",
        "align.summary.table": "winners",
        "align.summary.cols": "winner",
        "align.summary.outside": "a point off the map (0)",
        "pool.summary.cols": "rows|columns|winner (row, col)",
        "summary.collapsed": "Bin {first} is worked out in full above; the other bins follow the "
        "same steps and their values are in the output (--bins all or --bin i,j expands them).",
        # checking against the libraries
        "check.title": "Check it against your library",
        "check.pool": "torchvision.ops.roi_pool(x, torch.tensor([[0., {b}]]), output_size=({ph}, "
        "{pw}), spatial_scale={s}) gives this output, with x the map as a (1, 1, H, W) tensor; "
        "ONNX MaxRoiPool and Caffe's ROIPooling give the same.",
        "check.align.torchvision": "torchvision.ops.roi_align(x, torch.tensor([[0., {b}]]), "
        "output_size=({ph}, {pw}), spatial_scale={s}, sampling_ratio={sr}, aligned={a}) gives this "
        "output, with x the map as a (1, 1, H, W) tensor; detectron2's ROIAlign(({ph}, {pw}), {s}, "
        "{sr}, aligned={a}) gives the same.",
        "check.align.onnx": "ONNX RoiAlign with mode='avg', sampling_ratio={sr0} and "
        "coordinate_transformation_mode='{ctm}' gives it too.",
        "check.align.mmcv": "mmcv.ops.RoIAlign(({ph}, {pw}), {s}, {sr0}, pool_mode='max', "
        "aligned={a}) gives this output; torchvision has no max mode.",
        "check.align.nomax": "ONNX RoiAlign with mode='max' gives other numbers: it takes the "
        "largest weighted corner w·v of each point (roikit compare shows both).",
        "check.myths": "Common mistakes that this example disproves:",
        "myth.points": "The points sit at the centres of equal parts of the bin, (i + 0.5) × bin "
        "/ {g}: here x = {values} in the bin [{lo}, {hi}], not at 1/3 and 2/3 of it.",
        "myth.offmap.max": "A point off the map is worth 0 and still takes part: in bin ({ph}, "
        "{pw}) its 0 competes in the max.",
        "myth.offmap.avg": "A point off the map is worth 0 and still counts: bin ({ph}, {pw}) "
        "still divides by {n}.",
        "myth.norounding": "Nothing is rounded: RoI Align's bins are the ideal bins that RoI "
        "Pool's misalignment step compares against.",
        "myth.overlap": "Bins do not split the box into separate cells: {what} {cell} belongs to "
        "bins {j} and {j1}.",
        "myth.half": "Rounding is half away from zero: {v} → {r}, where numpy's round gives {even}.",
        "myth.nodrop": "No row or column of the rounded box is dropped: the floor of each bin's "
        "start and the ceiling of its end cover every cell.",
        # comparisons
        "cmp.title": "RoI Pool and RoI Align side by side",
        "cmp.table": "bin by bin",
        "cmp.pool": "RoI Pool",
        "cmp.align": "RoI Align ({mode})",
        "cmp.diff": "difference (Align − Pool)",
        "cmp.line1": "RoI Pool rounded the box to columns {xs}…{xe} and rows {ys}…{ye} and its "
        "bins to whole cells, then took the plain maximum of each bin.",
        "cmp.line2": "RoI Align kept the box at x [{x1}, {x2}], y [{y1}, {y2}], split it into "
        "equal bins of {bw} × {bh} cells (width × height) and interpolated {n} points in each.",
        "cmp.line3": "The largest difference (Align − Pool) is {d}, in bin ({ph}, {pw}).",
        "modes.title": "Max or average: only the last line of each bin changes",
        "modes.line": "Steps 1 to 4 and every point of every bin are the ones above; average mode "
        "only combines them differently:",
        "modes.bin": "bin ({ph}, {pw}): {agg}",
        "modes.table": "the two outputs",
        "mode.max": "max",
        "mode.avg": "average",
        "doc.roi_pool": "RoI Pool, worked out by hand",
        "doc.roi_align": "RoI Align ({mode}), worked out by hand",
        "doc.compare": "RoI Pool vs RoI Align",
        "doc.modes": "RoI Align: max or average",
        "doc.conventions": "One box through every convention",
        "doc.figures_hint": "Figures: write this walkthrough to a file (-o walk.md) and its "
        "figures are written beside it and linked here.",
        # roikit compare (library conventions)
        "conv.title": "One box, every convention",
        "conv.box": "box ({box}) × spatial_scale {s}, on a {h} × {w} map, {ph} × {pw} bins",
        "conv.outputs": "outputs, bin by bin",
        "conv.why": "Why they differ",
        "conv.why.table": "what each convention does",
        "conv.cols": "offset|minimum size|sampling grid|border|aggregation",
        # backward
        "backward.grad.title": "The upstream gradient",
        "backward.grad.line": "g: one value per output bin (the gradient of the loss with respect "
        "to the output).",
        "backward.grad.table": "g",
        "backward.rule.title": "The rule",
        "backward.rule.pool": "RoI Pool: a bin's whole gradient goes to the one cell that won its max "
        "(the first on ties); the other cells of the bin get nothing.",
        "backward.rule.avg": "RoI Align (average): each sampling point sends g × w / count to each of "
        "its four neighbours, w being that neighbour's bilinear weight.",
        "backward.rule.max": "RoI Align (max): only the winning point sends its bin's gradient, g × w "
        "to each of its four neighbours; the other points send nothing.",
        "backward.bin.title": "Bin ({ph}, {pw}): g = {g}",
        "backward.bin.send": "({r}, {q}) receives {how} = {v}",
        "backward.bin.none": "No cell receives anything (an empty bin, or no point on the map).",
        "backward.sum": "({r}, {q}) receives from several: {terms} = {v}",
        "backward.map.title": "The gradient with respect to the map",
        "backward.map.line": "Every contribution added up, per cell (the backward op's numbers):",
        "backward.map.table": "gradient",
        "doc.roi_pool_backward": "RoI Pool's backward pass, worked out by hand",
        "doc.roi_align_backward": "RoI Align's backward pass, worked out by hand",
        # practice
        "doc.worksheet": "Exercise",
        "sheet.title": "Exercise",
        "sheet.task.pool": "Work out RoI Pool by hand (level {level}, exercise {seed}).",
        "sheet.task.align": "Work out RoI Align by hand (level {level}, exercise {seed}).",
        "sheet.settings": "sampling_ratio = {sr} (≤ 0: adaptive), aligned={aligned}; combine each "
        "bin's points by their {mode}.",
        "sheet.todo.title": "To compute",
        "sheet.pool.scaled": "1. The box on the map (× spatial_scale): x1 {b}, y1 {b}, x2 {b}, y2 {b}",
        "sheet.pool.rounded": "2. Rounded to whole cells (halves away from zero): {b}, {b}, {b}, {b}",
        "sheet.pool.size": "3. Size in cells, both end cells counted: width {b}, height {b}",
        "sheet.pool.bin_size": "4. Bin size: width {b}, height {b}",
        "sheet.pool.ranges": "5. The rows and columns of each bin (floor for the start, ceil for the "
        "end, end excluded): rows {b} … {b}, columns {b} … {b} (for each of the {ph} × {pw} bins)",
        "sheet.pool.max": "6. Each bin's max: {b}",
        "sheet.pool.output": "7. The {ph} × {pw} output: {b}",
        "sheet.align.scaled": "1. The box on the map (× spatial_scale, − 0.5 if aligned): {b}, {b}, {b}, {b}",
        "sheet.align.bin_size": "2. Bin size: width {b}, height {b}",
        "sheet.align.grid": "3. Sampling points per bin: {b} rows × {b} columns",
        "sheet.align.points": "4. Where the points sit: y of each row bin {b}, x of each column bin {b}",
        "sheet.align.weights": "5. For the first point of each bin on the map: its four neighbours "
        "and their bilinear weights {b}",
        "sheet.align.value": "6. Each bin's value: {b}",
        "sheet.align.output": "7. The {ph} × {pw} output: {b}",
        "sheet.answer.title": "Hand it in",
        "sheet.answer.line": "Write your numbers in a JSON file with these keys (any of them: a "
        "partial answer checks what is there), then run: roikit check {op} --level {level} --seed "
        "{seed} --answer FILE",
        "chk.right": "{step}: right ({v}).",
        "chk.wrong": "{step}: you wrote {got}, the answer is {want}. {how}",
        "chk.empty": "Nothing to check: the answer has none of the steps {steps}.",
        "chk.all": "Every step you gave is right.",
        "chk.how.pool.scaled": "Multiply each coordinate by spatial_scale.",
        "chk.how.pool.rounded": "Round each to the nearest whole number, halves away from zero "
        "(C's round: 2.5 → 3, −2.5 → −3).",
        "chk.how.pool.size": "Count both end cells: end − start + 1.",
        "chk.how.pool.bin_size": "Divide the size (with its +1) by the number of bins.",
        "chk.how.pool.rows": "Bin p covers rows ⌊p × bin⌋ + start to ⌈(p + 1) × bin⌉ + start − 1.",
        "chk.how.pool.cols": "Bin p covers columns ⌊p × bin⌋ + start to ⌈(p + 1) × bin⌉ + start − 1.",
        "chk.how.pool.output": "Each bin's value is the largest of its cells.",
        "chk.how.align.scaled": "Multiply by spatial_scale, then subtract 0.5 only if aligned=True; "
        "nothing is rounded.",
        "chk.how.align.bin_size": "Divide the box size (at least 1 when aligned=False) by the number "
        "of bins.",
        "chk.how.align.grid": "sampling_ratio points per axis, or ⌈bin size⌉ when it is ≤ 0.",
        "chk.how.align.y": "Point i of a bin sits at bin start + (i + 0.5) × bin size / points.",
        "chk.how.align.x": "Point i of a bin sits at bin start + (i + 0.5) × bin size / points.",
        "chk.how.align.weights": "With ly = y − y_low, hy = 1 − ly (and x alike) the weights of (low, "
        "low), (low, high), (high, low), (high, high) are hy·hx, hy·lx, ly·hx, ly·lx.",
        "chk.how.align.output": "Each bin combines its points' interpolated values by the mode "
        "(max or average over all its points).",
        "mistake.noscale": "You did not multiply by spatial_scale.",
        "mistake.half_even": "You rounded halves to even (numpy's round); C's round takes them away "
        "from zero.",
        "mistake.floor_box": "You took the floor; RoI Pool rounds the box to the nearest cell.",
        "mistake.plus1": "You forgot the +1: the end cell counts too.",
        "mistake.nooverlap": "Your bins do not overlap: the end is the ceiling, not the floor, so "
        "neighbouring bins may share a cell.",
        "mistake.no_half": "You forgot to subtract 0.5 (aligned=True).",
        "mistake.half_not_aligned": "You subtracted 0.5, but aligned=False.",
        "mistake.thirds": "You put the points at 1/3 and 2/3 of the bin; they sit at the centres "
        "of equal parts: (i + 0.5) / points.",
        "mistake.corners": "You have the right weights on the wrong corners: each cell's weight is "
        "the area opposite it.",
        "mistake.avg_for_max": "You averaged the points; this exercise takes their max.",
        "mistake.max_for_avg": "You took the max of the points; this exercise averages them.",
        "mistake.offmap": "You left out the points off the map: they are worth 0 and still count "
        "in the average.",
        # figures
        "fig.x": "x (cell centres at integers)",
        "fig.y": "y",
        "fig.align.title": "RoI Align ({mode}): {ph}×{pw} bins, {grid} sampling points per bin",
        "fig.align.arrows": "arrows: bilinear weights of bin {bin}'s {which} point",
        "fig.which.winning": "winning",
        "fig.which.first": "first",
        "fig.align.worked": "bin {bin} is drawn in full (right: enlarged); the others as outlines",
        "fig.align.zoom": "bin {bin}, enlarged",
        "fig.align.shift": "aligned=True: the box (dashed) is shifted by −0.5 into the half-pixel "
        "model (solid)",
        "fig.outside": "this point lies outside the map: worth 0",
        "fig.bilinear.title": "bin {bin}, point at (y, x) = ({y}, {x})",
        "fig.bilinear.value": "value = {terms} = {v}",
        "fig.bilinear.fractions": "ly = y − y_low = {y} − {r0} = {ly},  hy = 1 − ly = {hy}\n"
        "lx = x − x_low = {x} − {c0} = {lx},  hx = 1 − lx = {hx}\n"
        "each cell's weight is the area opposite it (same colour); the four areas add up to 1",
        "fig.pool.title": "RoI Pool: {ph}×{pw} bins of whole cells",
        "fig.pool.ideal": "ideal bin (RoI Align's, dashed)",
        "fig.pool.cells": "cells RoI Pool reads (solid)",
        "fig.pool.max": "the bin's max",
        "fig.pool.tie": "a tied max, not chosen",
        "fig.pool.shared": "max of bins {bins}",
        "fig.backward.title": "gradient with respect to the map; outlined: what bin ({ph}, {pw}) sends",
        "fig.summary.input": "input and RoI",
        "fig.summary.pool": "RoI Pool output",
        "fig.summary.align": "RoI Align ({mode}) output",
    },
    "ko": {
        "input.title": "입력",
        "input.map": "특징 맵: {h} × {w}칸 (행 = y, 열 = x){channel}.",
        "input.channel": ", 채널 {c}",
        "input.box": "RoI (x1, y1, x2, y2) = ({x1}, {y1}, {x2}, {y2}), 이미지 픽셀 좌표 기준. "
        "spatial_scale = {s}, 출력 {ph} × {pw} 구간(bin).",
        "input.convention": "구현 방식 {name} ({library}): 아래 설정이 이 방식의 값입니다.",
        "input.table": "특징 맵",
        "input.same_map": "특징 맵은 위와 같습니다.",
        "input.window": "맵이 커서 행 {r0}…{r1}, 열 {c0}…{c1}만 표시합니다. {what}에서 읽는 칸은 "
        "모두 들어 있습니다.",
        "input.window.bin": "구간 ({ph}, {pw})",
        "input.window.box": "박스",
        "source.image": "맵은 그림의 회색값입니다 (0.299 R + 0.587 G + 0.114 B).",
        "source.image_exact": "맵은 그림의 원래 값입니다 ({mode} 이미지, 값을 그대로 읽음).",
        "source.pooled": "맵은 그림의 회색값(0.299 R + 0.587 G + 0.114 B)을 {k} × {k} 블록마다 "
        "평균한 것입니다. stride {k}인 백본이 그림을 줄이는 것과 같습니다. 박스는 그림의 픽셀 좌표 "
        "그대로이고, spatial_scale = 1/{k}이 박스를 맵 위로 옮깁니다.",
        "pool.bin.window": "구간이 커서 최댓값 주변(행 {r0}…{r1}, 열 {c0}…{c1})만 표시합니다.",
        "align.bin.more": "… 나머지 점 {n}개는 생략했습니다. 구간의 값은 점 {count}개 모두로 계산합니다.",
        "pool.scale.title": "1. 박스를 특징 맵에 투영하기 (spatial_scale 곱하기)",
        "pool.scale.line": "{name} × spatial_scale = {v} × {s} = {r}",
        "pool.round.title": "2. 네 좌표를 정수로 반올림하기 (RoI Pool의 첫 번째 양자화)",
        "pool.round.line": "{name}: {real} → {rounded}",
        "pool.round.half": "{name}: {real} → {rounded} (소수 부분이 정확히 .5: C의 round는 0에서 먼 "
        "쪽으로 반올림합니다. numpy의 round(짝수 쪽으로 반올림)라면 결과는 {even})",
        "pool.size.title": "3. 양 끝 칸을 모두 세어 크기 구하기",
        "pool.size.line": "{axis} = {end} − {start} + 1 = {size}칸",
        "pool.size.clamped": "{axis} = {end} − {start} + 1 = {raw} → 최소 1칸: {size}",
        "pool.binsize.title": "4. 구간(bin) 크기",
        "pool.binsize.line": "구간 {axis} = {size} / {bins} = {b}칸",
        "pool.ranges.title": "5. 구간마다 포함되는 칸: 시작은 내림, 끝은 올림 (끝 값은 포함하지 "
        "않음, 두 번째 양자화)",
        "pool.ranges.line": "{axis} 구간 {i}: ⌊{i} × {b}⌋ + {start} = {lo},  ⌈{i1} × {b}⌉ + {start} "
        "= {hi}  →  {cells} {first}…{last}",
        "pool.ranges.empty_range": "{axis} 구간 {i}: ⌊{i} × {b}⌋ + {start} = {lo},  "
        "⌈{i1} × {b}⌉ + {start} = {hi}",
        "pool.ranges.overlap": "  (구간 {j}에도 들어가는 {cells} {first}…{last}: 구간끼리 겹침)",
        "pool.ranges.overlap_one": "  (구간 {j}에도 들어가는 {cell} {first}: 구간끼리 겹침)",
        "pool.ranges.clipped": "  (맵 밖은 잘라냄: {cells} {first}…{last})",
        "pool.ranges.empty": "  (맵 안에 남는 칸이 없어 빈 구간이 되고 출력은 0)",
        "axis.rows": "행",
        "axis.cols": "열",
        "axis.row": "행",
        "axis.col": "열",
        "axis.width": "너비",
        "axis.height": "높이",
        "pool.bin.title": "6. 구간 ({ph}, {pw}): 행 {r0}…{r1}, 열 {c0}…{c1}",
        "pool.bin.title_empty": "6. 구간 ({ph}, {pw}): 비어 있음",
        "pool.bin.max": "최댓값 = {v}, 위치 (행 {r}, 열 {c})",
        "pool.bin.tie": " (최댓값이 {n}곳에 있어, 행 우선(row-major) 순서로 가장 먼저 나오는 칸을 고릅니다)",
        "pool.bin.empty": "이 구간에는 맵 안의 칸이 없으므로 출력은 0입니다.",
        "pool.bin.table": "구간 ({ph}, {pw})의 칸",
        "output.title": "출력",
        "output.line": "{ph} × {pw} 출력 (구간마다 값 하나):",
        "output.table": "출력 행렬",
        "pool.mis.title": "7. 어긋남(misalignment): 두 번의 양자화가 옮긴 것",
        "pool.mis.model": "RoI Pool은 정수 칸 단위로 계산합니다. 칸 i의 값은 좌표 i에 있다고 보고, "
        "반올림은 좌표를 가장 가까운 칸으로 보냅니다 (aligned=False와 같은 좌표 모델).",
        "pool.mis.edges": "첫 번째 양자화, 박스: 각 변이 반올림된 칸으로 옮겨집니다 (이동량 = 칸 − 변, "
        "칸 단위와 이미지 픽셀 단위):",
        "pool.mis.edge": "{side} 변 {name} = {box} → {cell} {pooled}: {shift}칸 (이미지 {px}픽셀)",
        "pool.mis.noshift": "박스가 이미 정수 칸 위에 있으므로 반올림으로 옮겨지는 변이 없습니다.",
        "pool.mis.plus1": "3단계의 +1은 반올림이 아닙니다. Caffe는 끝 칸도 박스에 포함하므로(x2는 "
        "끝 픽셀을 포함하는 인덱스), {cells} {s}…{e}의 크기는 {e} − {s} + 1 = {n}칸입니다.",
        "pool.mis.bins": "두 번째 양자화, 구간: 박스의 이상적인 구간 p는 [x1 + p·w/P, x1 + (p+1)·w/P]"
        "이고 w = x2 − x1 = {w}입니다 (행도 같은 방식이며 h = y2 − y1 = {h}). RoI Pool은 대신 정수 "
        "칸을 읽습니다:",
        "pool.mis.table": "이상적인 구간과 RoI Pool이 읽는 칸 (이동량 = 칸 − 이상적인 경계)",
        "pool.mis.cols": "이상적인 구간|읽는 칸|시작 이동량|끝 이동량",
        "pool.mis.binlabel": "{axis} 구간 {p}",
        "pool.mis.align": "RoI Align은 바로 이 이상적인 구간을 반올림 없이 그대로 씁니다 "
        "(aligned=True이면 모든 구간을 −0.5만큼 옮겨 반 픽셀 모델로 맞춥니다).",
        "pool.mis.floor": "Caffe와 torchvision은 구간의 시작은 내림, 끝은 올림하므로 버려지는 칸이 "
        "없고, 이웃한 구간이 같은 칸을 나눠 가질 수 있습니다. 양 끝을 모두 내림하는 튜토리얼은 "
        "구간 {bins}개에 {cells}을 ⌊{size} / {bins}⌋ = {each}개씩만 주고 마지막 {dropped}개를 "
        "버립니다.",
        "pool.mis.floor_even": "Caffe와 torchvision은 구간의 시작은 내림, 끝은 올림하므로 버려지는 "
        "칸이 없습니다 (이 예에서는 구간마다 정확히 정수 개의 칸이 들어갑니다).",
        "side.left": "왼쪽",
        "side.right": "오른쪽",
        "side.top": "위쪽",
        "side.bottom": "아래쪽",
        "align.scale.title": "1. 박스를 특징 맵에 투영하기 (반올림 없음: 양자화하지 않음)",
        "align.scale.offset": "aligned=True (반 픽셀 보정, half-pixel 모델): 칸 i는 [i, i + 1) "
        "범위이고 그 값은 중심 i + 0.5에 있다고 보므로 모든 좌표에서 0.5를 뺍니다. 원래의 RoI "
        "Align은 RoI Pool의 정수 격자를 그대로 써서 반 칸만큼 어긋남이 남았고, detectron2가 "
        "aligned=True로 이를 없앴습니다.",
        "align.scale.legacy": "aligned=False (원래의 RoI Align, torchvision 기본값): 칸 i의 값은 "
        "RoI Pool처럼 좌표 i에 있다고 보고, 박스를 옮기지 않습니다 (aligned=True라면 0.5를 뺌: "
        "반 픽셀 모델).",
        "align.scale.line": "{name} × spatial_scale{minus} = {v} × {s}{minus} = {r}",
        "align.settings": "설정: 구간마다 점 {grid}개의 {mode}, aligned={aligned}. "
        "torchvision.ops.roi_align은 평균만 계산하며(최댓값 모드 없음), 기본값은 "
        "sampling_ratio=-1(적응형), aligned=False입니다.",
        "align.settings.adaptive": "적응형 개수",
        "align.settings.max": "최댓값 풀링은 Mask R-CNN 논문 Figure 3을 읽는 방식입니다 (mmcv의 "
        "pool_mode='max'). 라이브러리들의 평균 풀링은 mode='avg'입니다.",
        "align.size.title": "2. 박스 크기와 구간(bin) 크기",
        "align.size.line": "{axis} = {end} − {start} = {size}",
        "align.size.raised": "{axis} = {end} − {start} = {raw} → 1보다 작아 1로 맞춤 (aligned=False)",
        "align.size.bin": "구간 {axis} = {size} / {bins} = {b}",
        "align.grid.title": "3. 구간마다 샘플링 점 개수 정하기",
        "align.grid.fixed": "sampling_ratio = {sr}: 구간마다 세로 {gh} × 가로 {gw} 격자로 점을 찍음",
        "align.grid.adaptive": "sampling_ratio ≤ 0 (적응형): 구간마다 세로 ⌈높이 / {ph}⌉ = ⌈{h}⌉ = "
        "{gh}개, 가로 ⌈너비 / {pw}⌉ = ⌈{w}⌉ = {gw}개의 점",
        "align.grid.count": "구간당 점 개수 = {gh} × {gw} = {n}개",
        "align.grid.none": "{gh} × {gw} 격자에는 점이 없으므로 모든 구간의 출력은 0입니다.",
        "align.coords.title": "4. 샘플링 점의 좌표",
        "align.coords.formula": "{c} = ({start} + 구간 번호 × {b}) + (i + 0.5) × {b} / {g}   "
        "(i = 구간 안에서 점의 순번 0, 1, …)",
        "align.coords.line": "{axis} 구간 {p}: {c} = {values}",
        "align.coords.more": " … (점 {n}개 중 맵 근처의 {m}개)",
        "align.bin.title": "5. 구간 ({ph}, {pw}): 점마다 이중 선형 보간(bilinear interpolation)",
        "align.derive.head": "점 {n} (y, x) = ({y}, {x}): 이중 선형 보간을 풀어 쓰면",
        "align.derive.axis": "  {c} = {v}: 두 {what} {low}, {high} 사이. l{c} = {v} − {low} = {lo}, "
        "h{c} = 1 − l{c} = {hi}",
        "align.derive.axis_low": "  {c} = {v}: [−1, 0) 범위라서 0으로 맞춥니다(clamp). 그래서 "
        "두 {what} {low}, {high}에서 l{c} = {lo}, h{c} = {hi}",
        "align.derive.axis_high": "  {c} = {v} ≥ {last}: 마지막 {what}이라 두 이웃이 모두 {last}, "
        "l{c} = {lo}, h{c} = {hi}",
        "align.derive.areas": "  각 이웃 칸의 가중치는 맞은편 직사각형의 넓이입니다:",
        "align.derive.weight": "  ({r}, {q}) = {v}: 가중치 {name} = {a} × {b} {eq} {w}",
        "align.derive.sum": "  네 가중치의 합: {terms} {eq} {total}",
        "align.derive.value": "  보간 값 = {expr} {eq} {v}",
        "align.bin.point": "점 {n}",
        "align.bin.arith": "점 {n} (y, x) = ({y}, {x}): {expr} {eq} {v}",
        "align.bin.arith_out": "점 {n} (y, x) = ({y}, {x}): [−1, {h}] × [−1, {w}] 밖이므로 값은 "
        "0입니다. 그래도 점 개수에는 포함됩니다(평균이면 분모에 들어가고, 최댓값이면 0이 후보가 됨).",
        "align.bin.clamp_low": "{c} = {v}: [−1, 0) 범위라서 0으로 맞춥니다(clamp). 그래서 {what} 0의 "
        "값을 씁니다.",
        "align.bin.clamp_high": "{c} = {v} ≥ {last}: 두 이웃 모두 {what} {last}입니다.",
        "align.bin.max": "점 {n}개의 최댓값 = {v}  ← 점 {k}",
        "align.bin.max_zero": "점 {n}개의 최댓값 = 0  ← 맵 밖의 점(값 0)이 선택됨",
        "align.bin.max_none": "선택된 점이 없음 (모든 값이 NaN): {v}",
        "align.bin.avg": "평균 = ({terms}) / {n} {eq} {v}",
        "align.bin.avg_long": "평균 = (맵 안의 점 {k}개의 합) / {n} = {v}",
        "align.bin.nosamples": "이 구간에는 샘플링 점이 없으므로 출력은 0입니다.",
        "align.summary.title": "나머지 구간",
        "align.summary.table": "선택된 점",
        "align.summary.cols": "선택된 점",
        "align.summary.outside": "맵 밖의 점 (0)",
        "pool.summary.cols": "행|열|최댓값 위치 (행, 열)",
        "summary.collapsed": "위에서는 구간 {first}만 자세히 풀었습니다. 나머지 구간도 같은 방법으로 "
        "계산하며, 값은 출력 행렬에 있습니다 (모두 펼치려면 --bins all, 하나만 보려면 --bin i,j).",
        "check.title": "라이브러리로 확인하기",
        "check.pool": "torchvision.ops.roi_pool(x, torch.tensor([[0., {b}]]), output_size=({ph}, "
        "{pw}), spatial_scale={s})가 이 출력을 냅니다 (x는 맵을 (1, 1, H, W) 텐서로 만든 것). ONNX "
        "MaxRoiPool과 Caffe의 ROIPooling도 같은 값을 냅니다.",
        "check.align.torchvision": "torchvision.ops.roi_align(x, torch.tensor([[0., {b}]]), "
        "output_size=({ph}, {pw}), spatial_scale={s}, sampling_ratio={sr}, aligned={a})가 이 출력을 "
        "냅니다 (x는 맵을 (1, 1, H, W) 텐서로 만든 것). detectron2의 ROIAlign(({ph}, {pw}), {s}, "
        "{sr}, aligned={a})도 같습니다.",
        "check.align.onnx": "ONNX RoiAlign도 mode='avg', sampling_ratio={sr0}, "
        "coordinate_transformation_mode='{ctm}'이면 같은 값을 냅니다.",
        "check.align.mmcv": "mmcv.ops.RoIAlign(({ph}, {pw}), {s}, {sr0}, pool_mode='max', "
        "aligned={a})가 이 출력을 냅니다. torchvision에는 최댓값 모드가 없습니다.",
        "check.align.nomax": "ONNX RoiAlign의 mode='max'는 다른 값을 냅니다. 점마다 가중치를 곱한 "
        "모서리 값 w·v 중 가장 큰 것을 쓰기 때문입니다 (roikit compare에서 비교할 수 있음).",
        "check.myths": "이 예가 바로잡는 흔한 오해:",
        "myth.points": "점은 구간을 똑같이 나눈 조각의 중심, 즉 (i + 0.5) × 구간 / {g}에 있습니다. "
        "이 예에서 구간 [{lo}, {hi}]의 점은 x = {values}이고, 1/3과 2/3 지점이 아닙니다.",
        "myth.offmap.max": "맵 밖의 점은 값이 0이지만 빠지지 않습니다. 구간 ({ph}, {pw})에서는 그 "
        "0도 최댓값 후보입니다.",
        "myth.offmap.avg": "맵 밖의 점은 값이 0이지만 개수에 들어갑니다. 구간 ({ph}, {pw})도 "
        "여전히 점 {n}개로 나눕니다.",
        "myth.norounding": "반올림은 전혀 없습니다. RoI Align의 구간은 RoI Pool의 어긋남 단계가 "
        "비교하는 이상적인 구간 그대로입니다.",
        "myth.overlap": "구간들이 박스를 서로 다른 칸으로 나누는 것이 아닙니다. {what} {cell}: "
        "구간 {j}, 구간 {j1}에 모두 들어갑니다.",
        "myth.half": "반올림은 0에서 먼 쪽으로 합니다. {v} → {r}이고, numpy의 round라면 결과는 {even}입니다.",
        "myth.nodrop": "반올림한 박스의 행과 열은 하나도 버려지지 않습니다. 구간의 시작은 내림, "
        "끝은 올림이라 모든 칸이 들어갑니다.",
        "cmp.title": "RoI Pool과 RoI Align 비교",
        "cmp.table": "구간별 결과 나란히 보기",
        "cmp.pool": "RoI Pool",
        "cmp.align": "RoI Align ({mode})",
        "cmp.diff": "차이 (Align − Pool)",
        "cmp.line1": "RoI Pool은 박스를 열 {xs}…{xe}, 행 {ys}…{ye} 칸에 맞춰 반올림하고 구간 "
        "경계도 정수 칸으로 자른 뒤, 구간마다 최댓값을 골랐습니다.",
        "cmp.line2": "RoI Align은 박스를 x [{x1}, {x2}], y [{y1}, {y2}] 그대로 두고 너비 {bw} × "
        "높이 {bh}칸인 같은 크기의 구간으로 나눈 뒤, 구간마다 이중 선형 보간으로 점 {n}개의 값을 "
        "구했습니다.",
        "cmp.line3": "차이(Align − Pool)가 가장 큰 곳: 구간 ({ph}, {pw}), {d}",
        "modes.title": "최댓값 풀링과 평균 풀링: 구간마다 마지막 줄만 다릅니다",
        "modes.line": "1~4단계와 모든 구간의 점은 위와 같고, 평균 풀링은 점들을 합치는 방법만 다릅니다:",
        "modes.bin": "구간 ({ph}, {pw}): {agg}",
        "modes.table": "두 출력",
        "mode.max": "최댓값 풀링",
        "mode.avg": "평균 풀링",
        "doc.roi_pool": "RoI Pooling 손으로 계산하기",
        "doc.roi_align": "RoI Align ({mode}) 손으로 계산하기",
        "doc.compare": "RoI Pooling과 RoI Align",
        "doc.modes": "RoI Align: 최댓값 풀링과 평균 풀링",
        "doc.conventions": "같은 박스, 라이브러리마다 다른 구현 방식 비교",
        "doc.figures_hint": "그림: 풀이를 파일로 쓰면(-o walk.md) 그림이 그 옆에 함께 저장되고 "
        "여기에 연결됩니다.",
        "conv.title": "박스 하나, 모든 구현 방식",
        "conv.box": "박스 ({box}) × spatial_scale {s}, {h} × {w} 맵, 출력 {ph} × {pw} 구간",
        "conv.outputs": "구간별 출력",
        "conv.why": "값이 다른 이유",
        "conv.why.table": "구현 방식별 계산법",
        "conv.cols": "좌표 보정|최소 크기|샘플링 격자|경계 처리|합치는 방법",
        "backward.grad.title": "위에서 내려온 기울기",
        "backward.grad.line": "g: 출력 구간마다 값 하나 (출력에 대한 손실의 기울기).",
        "backward.grad.table": "g",
        "backward.rule.title": "규칙",
        "backward.rule.pool": "RoI Pool: 구간의 기울기는 전부 그 구간에서 최댓값으로 선택된 칸 하나로 "
        "갑니다 (같은 값이면 먼저 나온 칸). 구간의 다른 칸은 아무것도 받지 않습니다.",
        "backward.rule.avg": "RoI Align (평균 풀링): 샘플링 점마다 네 이웃 칸에 g × w / 점 개수를 "
        "보냅니다. w는 그 이웃의 이중 선형 보간 가중치입니다.",
        "backward.rule.max": "RoI Align (최댓값 풀링): 선택된 점만 구간의 기울기를 보내며, 네 이웃 칸에 "
        "g × w씩 보냅니다. 다른 점은 아무것도 보내지 않습니다.",
        "backward.bin.title": "구간 ({ph}, {pw}): g = {g}",
        "backward.bin.send": "({r}, {q})에 {how} = {v}",
        "backward.bin.none": "받는 칸이 없습니다 (빈 구간이거나 맵 안의 점이 없음).",
        "backward.sum": "칸 ({r}, {q}): 여러 곳에서 받습니다. {terms} = {v}",
        "backward.map.title": "맵에 대한 기울기",
        "backward.map.line": "칸마다 모든 기여를 더한 값 (backward 연산의 값):",
        "backward.map.table": "기울기",
        "doc.roi_pool_backward": "RoI Pooling의 역전파 손으로 계산하기",
        "doc.roi_align_backward": "RoI Align의 역전파 손으로 계산하기",
        "doc.worksheet": "연습 문제",
        "sheet.title": "연습 문제",
        "sheet.task.pool": "RoI Pooling을 손으로 계산하세요 (수준 {level}, 문제 {seed}).",
        "sheet.task.align": "RoI Align을 손으로 계산하세요 (수준 {level}, 문제 {seed}).",
        "sheet.settings": "sampling_ratio = {sr} (≤ 0: 적응형), aligned={aligned}. 구간마다 점들을 "
        "{mode}으로 합칩니다.",
        "sheet.todo.title": "계산할 것",
        "sheet.pool.scaled": "1. 맵 위의 박스 (× spatial_scale): x1 {b}, y1 {b}, x2 {b}, y2 {b}",
        "sheet.pool.rounded": "2. 정수 칸으로 반올림 (.5는 0에서 먼 쪽으로): {b}, {b}, {b}, {b}",
        "sheet.pool.size": "3. 양 끝 칸을 모두 센 크기: 너비 {b}, 높이 {b}",
        "sheet.pool.bin_size": "4. 구간 크기: 너비 {b}, 높이 {b}",
        "sheet.pool.ranges": "5. 구간마다 행과 열 (시작은 내림, 끝은 올림, 끝 값은 포함하지 않음): "
        "행 {b} … {b}, 열 {b} … {b} ({ph} × {pw}개 구간 모두)",
        "sheet.pool.max": "6. 구간마다 최댓값: {b}",
        "sheet.pool.output": "7. {ph} × {pw} 출력: {b}",
        "sheet.align.scaled": "1. 맵 위의 박스 (× spatial_scale, aligned이면 − 0.5): {b}, {b}, {b}, {b}",
        "sheet.align.bin_size": "2. 구간 크기: 너비 {b}, 높이 {b}",
        "sheet.align.grid": "3. 구간당 샘플링 점: 세로 {b} × 가로 {b}",
        "sheet.align.points": "4. 점의 좌표: 행 구간마다 y {b}, 열 구간마다 x {b}",
        "sheet.align.weights": "5. 구간마다 맵 안의 첫 점: 네 이웃 칸과 이중 선형 보간 가중치 {b}",
        "sheet.align.value": "6. 구간마다 값: {b}",
        "sheet.align.output": "7. {ph} × {pw} 출력: {b}",
        "sheet.answer.title": "답 제출하기",
        "sheet.answer.line": "아래 키로 JSON 파일에 답을 쓰고(일부만 써도 그만큼 확인합니다) 다음을 "
        "실행하세요: roikit check {op} --level {level} --seed {seed} --answer FILE",
        "chk.right": "{step}: 맞았습니다 ({v}).",
        "chk.wrong": "{step}: 쓴 답 {got}, 정답 {want}. {how}",
        "chk.empty": "확인할 것이 없습니다: 답에 {steps} 중 아무 단계도 없습니다.",
        "chk.all": "쓴 단계가 모두 맞았습니다.",
        "chk.how.pool.scaled": "좌표마다 spatial_scale을 곱합니다.",
        "chk.how.pool.rounded": "가장 가까운 정수로 반올림하되 .5는 0에서 먼 쪽으로 보냅니다 (C의 "
        "round: 2.5 → 3, −2.5 → −3).",
        "chk.how.pool.size": "양 끝 칸을 모두 셉니다: 끝 − 시작 + 1.",
        "chk.how.pool.bin_size": "+1을 더한 크기를 구간 개수로 나눕니다.",
        "chk.how.pool.rows": "구간 p의 행: ⌊p × 구간⌋ + 시작부터 ⌈(p + 1) × 구간⌉ + 시작 − 1까지.",
        "chk.how.pool.cols": "구간 p의 열: ⌊p × 구간⌋ + 시작부터 ⌈(p + 1) × 구간⌉ + 시작 − 1까지.",
        "chk.how.pool.output": "구간의 값은 그 칸들 중 최댓값입니다.",
        "chk.how.align.scaled": "spatial_scale을 곱하고, aligned=True일 때만 0.5를 뺍니다. "
        "반올림은 하지 않습니다.",
        "chk.how.align.bin_size": "박스 크기(aligned=False이면 최소 1)를 구간 개수로 나눕니다.",
        "chk.how.align.grid": "축마다 sampling_ratio개, 0 이하이면 ⌈구간 크기⌉개입니다.",
        "chk.how.align.y": "구간 안의 점 i: 구간 시작 + (i + 0.5) × 구간 크기 / 점 개수.",
        "chk.how.align.x": "구간 안의 점 i: 구간 시작 + (i + 0.5) × 구간 크기 / 점 개수.",
        "chk.how.align.weights": "ly = y − y_low, hy = 1 − ly (x도 같음)일 때 (low, low), (low, "
        "high), (high, low), (high, high)의 가중치는 hy·hx, hy·lx, ly·hx, ly·lx입니다.",
        "chk.how.align.output": "구간마다 점들의 보간 값을 모드에 따라 합칩니다 (최댓값, 또는 모든 "
        "점의 평균).",
        "mistake.noscale": "spatial_scale을 곱하지 않았습니다.",
        "mistake.half_even": ".5를 짝수 쪽으로 반올림했습니다 (numpy의 round). C의 round는 0에서 먼 "
        "쪽으로 보냅니다.",
        "mistake.floor_box": "내림을 했습니다. RoI Pool은 박스를 가장 가까운 칸으로 반올림합니다.",
        "mistake.plus1": "+1을 빠뜨렸습니다. 끝 칸도 셉니다.",
        "mistake.nooverlap": "구간이 겹치지 않게 나눴습니다. 끝은 내림이 아니라 올림이라서 이웃한 "
        "구간이 같은 칸을 나눠 가질 수 있습니다.",
        "mistake.no_half": "0.5를 빼지 않았습니다 (aligned=True).",
        "mistake.half_not_aligned": "0.5를 뺐지만 aligned=False입니다.",
        "mistake.thirds": "점을 구간의 1/3, 2/3 지점에 두었습니다. 점은 구간을 똑같이 나눈 조각의 "
        "중심, 즉 (i + 0.5) / 점 개수에 있습니다.",
        "mistake.corners": "가중치 값은 맞지만 칸이 바뀌었습니다. 각 칸의 가중치는 맞은편 "
        "직사각형의 넓이입니다.",
        "mistake.avg_for_max": "점들을 평균했습니다. 이 문제는 최댓값을 씁니다.",
        "mistake.max_for_avg": "점들의 최댓값을 골랐습니다. 이 문제는 평균을 씁니다.",
        "mistake.offmap": "맵 밖의 점을 뺐습니다. 맵 밖의 점은 값이 0이지만 평균의 개수에는 들어갑니다.",
        "fig.x": "x (칸 중심이 정수 좌표)",
        "fig.y": "y",
        "fig.align.title": "RoI Align ({mode}): 구간 {ph}×{pw}개, 구간마다 샘플링 점 {grid}개",
        "fig.align.arrows": "화살표: 구간 {bin}의 {which} 점에 대한 이중 선형 보간 가중치",
        "fig.which.winning": "선택된",
        "fig.which.first": "첫",
        "fig.align.worked": "구간 {bin}만 점까지 그림 (오른쪽: 확대), 나머지는 테두리만",
        "fig.align.zoom": "구간 {bin} 확대",
        "fig.align.shift": "aligned=True: 박스(점선)를 −0.5만큼 옮겨 반 픽셀 모델로 맞춤(실선)",
        "fig.outside": "이 점은 맵 밖에 있어 값이 0입니다",
        "fig.bilinear.title": "구간 {bin}, 점 (y, x) = ({y}, {x})",
        "fig.bilinear.value": "보간 값 = {terms} = {v}",
        "fig.bilinear.fractions": "ly = y − y_low = {y} − {r0} = {ly},  hy = 1 − ly = {hy}\n"
        "lx = x − x_low = {x} − {c0} = {lx},  hx = 1 − lx = {hx}\n"
        "각 칸의 가중치는 맞은편 직사각형의 넓이(같은 색)이고, 네 넓이의 합은 1입니다",
        "fig.pool.title": "RoI Pooling: 정수 칸으로 된 구간 {ph}×{pw}개",
        "fig.pool.ideal": "이상적인 구간 (RoI Align의 구간, 점선)",
        "fig.pool.cells": "RoI Pool이 읽는 칸 (실선)",
        "fig.pool.max": "구간의 최댓값",
        "fig.pool.tie": "같은 최댓값이지만 선택되지 않은 칸",
        "fig.pool.shared": "구간 {bins}의 최댓값",
        "fig.backward.title": "맵에 대한 기울기. 테두리: 구간 ({ph}, {pw})에서 보내는 칸",
        "fig.summary.input": "입력과 RoI",
        "fig.summary.pool": "RoI Pooling 출력",
        "fig.summary.align": "RoI Align ({mode}) 출력",
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
