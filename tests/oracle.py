"""A deliberately naive float64 oracle, written from the definitions in docs/design.md (section 2).

Nested Python loops over boxes, channels, bins and every sample; nothing is
shared with roikit's plan or kernels. Slow by design: use small inputs.
"""

from __future__ import annotations

import math

import numpy as np

FLT_MAX = float(np.finfo(np.float32).max)


def _c_round(v: float) -> float:
    """C's round: halves go away from zero."""
    t = math.trunc(v)
    return t + (math.copysign(1.0, v) if abs(v - t) >= 0.5 else 0.0)


def _bilinear(img: np.ndarray, y: float, x: float):
    """Return [(row, col, weight)] for the 4 neighbours, or [] when out of range."""
    H, W = img.shape
    if not (-1.0 <= y <= H and -1.0 <= x <= W):
        return []
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= H - 1:
        y0 = y1 = H - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= W - 1:
        x0 = x1 = W - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    hy, hx = 1 - ly, 1 - lx
    return [(y0, x0, hy * hx), (y0, x1, hy * lx), (y1, x0, ly * hx), (y1, x1, ly * lx)]


def _align_samples(box, H, W, PH, PW, scale, sr, aligned):
    """Yield ((ph, pw), count, [sample neighbour lists in (iy, ix) order])."""
    off = 0.5 if aligned else 0.0
    sx, sy, ex, ey = (c * scale - off for c in box)
    rw, rh = ex - sx, ey - sy
    if not aligned:
        rw, rh = max(rw, 1.0), max(rh, 1.0)
    bh, bw = rh / PH, rw / PW
    gh = sr if sr > 0 else math.ceil(rh / PH)
    gw = sr if sr > 0 else math.ceil(rw / PW)
    count = max(gh * gw, 1) if gh > 0 and gw > 0 else 1
    for ph in range(PH):
        for pw in range(PW):
            samples = []
            for iy in range(max(gh, 0)):
                y = sy + ph * bh + (iy + 0.5) * bh / gh
                for ix in range(max(gw, 0)):
                    x = sx + pw * bw + (ix + 0.5) * bw / gw
                    samples.append((y, x))
            yield (ph, pw), count, samples


def roi_align(feat, boxes, output_size, scale=1.0, sr=-1, aligned=False, mode="avg"):
    """Forward RoI Align; boxes (K, 5). Returns float64 (K, C, PH, PW)."""
    feat = np.asarray(feat, np.float64)
    N, C, H, W = feat.shape
    PH, PW = output_size
    out = np.zeros((len(boxes), C, PH, PW))
    for k, row in enumerate(np.asarray(boxes, np.float64)):
        b = int(row[0])
        for (ph, pw), count, samples in _align_samples(row[1:], H, W, PH, PW, scale, sr, aligned):
            for c in range(C):
                img = feat[b, c]
                vals = [sum(w * img[r, q] for r, q, w in _bilinear(img, y, x)) for y, x in samples]
                if mode == "avg":
                    out[k, c, ph, pw] = sum(vals) / count
                elif not vals:
                    out[k, c, ph, pw] = 0.0
                else:
                    best = -FLT_MAX
                    for v in vals:
                        if v > best:
                            best = v
                    out[k, c, ph, pw] = best
    return out


def roi_align_backward(grad, feat, boxes, output_size, scale=1.0, sr=-1, aligned=False, mode="avg"):
    """Gradient with respect to feat of sum(grad * roi_align(feat))."""
    feat = np.asarray(feat, np.float64)
    N, C, H, W = feat.shape
    PH, PW = output_size
    d = np.zeros_like(feat)
    for k, row in enumerate(np.asarray(boxes, np.float64)):
        b = int(row[0])
        for (ph, pw), count, samples in _align_samples(row[1:], H, W, PH, PW, scale, sr, aligned):
            for c in range(C):
                g = grad[k, c, ph, pw]
                img = feat[b, c]
                taps = [_bilinear(img, y, x) for y, x in samples]
                if mode == "avg":
                    for t in taps:
                        for r, q, w in t:
                            d[b, c, r, q] += g * w / count
                else:
                    best, win = -FLT_MAX, None
                    for t in taps:
                        v = sum(w * img[r, q] for r, q, w in t)
                        if v > best:
                            best, win = v, t
                    for r, q, w in win or []:
                        d[b, c, r, q] += g * w
    return d


def _pool_bins(box, H, W, PH, PW, scale):
    xs, ys, xe, ye = (int(_c_round(c * scale)) for c in box)
    rw, rh = max(xe - xs + 1, 1), max(ye - ys + 1, 1)
    bh, bw = rh / PH, rw / PW
    for ph in range(PH):
        for pw in range(PW):
            h0 = min(max(math.floor(ph * bh) + ys, 0), H)
            h1 = min(max(math.ceil((ph + 1) * bh) + ys, 0), H)
            w0 = min(max(math.floor(pw * bw) + xs, 0), W)
            w1 = min(max(math.ceil((pw + 1) * bw) + xs, 0), W)
            yield (ph, pw), [(r, q) for r in range(h0, h1) for q in range(w0, w1)]


def roi_pool(feat, boxes, output_size, scale=1.0):
    feat = np.asarray(feat, np.float64)
    N, C, H, W = feat.shape
    out = np.zeros((len(boxes), C, *output_size))
    for k, row in enumerate(np.asarray(boxes, np.float64)):
        b = int(row[0])
        for (ph, pw), cells in _pool_bins(row[1:], H, W, *output_size, scale):
            for c in range(C):
                best = -FLT_MAX if cells else 0.0
                for r, q in cells:
                    if feat[b, c, r, q] > best:
                        best = feat[b, c, r, q]
                out[k, c, ph, pw] = best
    return out


def roi_pool_backward(grad, feat, boxes, output_size, scale=1.0):
    feat = np.asarray(feat, np.float64)
    N, C, H, W = feat.shape
    d = np.zeros_like(feat)
    for k, row in enumerate(np.asarray(boxes, np.float64)):
        b = int(row[0])
        for (ph, pw), cells in _pool_bins(row[1:], H, W, *output_size, scale):
            for c in range(C):
                best, win = -FLT_MAX, None
                for r, q in cells:
                    if feat[b, c, r, q] > best:
                        best, win = feat[b, c, r, q], (r, q)
                if win is not None:
                    d[b, c, win[0], win[1]] += grad[k, c, ph, pw]
    return d
