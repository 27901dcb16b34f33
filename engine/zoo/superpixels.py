"""Superpixels: a photo cut into at most k connected regions of similar colour (SLIC-like k-means, numpy + scipy).

Each pixel is a point (L, a, b, m·x/S, m·y/S) with CIE Lab colour (smoothed a little), position in pixels, grid
interval S = √(H·W/k) and compactness m (Achanta et al.'s SLIC distance d² = d_lab² + (m/S)²·d_xy²). Lloyd's
k-means from a deterministic k-means++ start groups the pixels; every cluster then keeps only its largest
4-connected piece, and the other pieces join the region they border most, so every region is connected and the
regions partition the image.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

COMPACTNESS = 20.0
ITERATIONS = 10
SMOOTHING = 2.0  # σ in pixels of the Gaussian applied to the Lab colours before clustering


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB values in [0, 1], shape (..., 3): linearise, XYZ = M·rgb, then
    L = 116 f(Y/Yn) − 16, a = 500 (f(X/Xn) − f(Y/Yn)), b = 200 (f(Y/Yn) − f(Z/Zn))."""
    rgb = np.asarray(rgb, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    srgb_to_xyz = [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                   [0.0193339, 0.1191920, 0.9503041]]
    xyz = linear @ np.array(srgb_to_xyz).T
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (squared Euclidean distance) of every point."""
    return ((points**2).sum(1)[:, None] - 2 * points @ centres.T + (centres**2).sum(1)[None, :]).argmin(axis=1)


def _kmeans(points: np.ndarray, k: int, seed: int, stride: int = 4) -> np.ndarray:
    """Cluster index of every point; the centres come from Lloyd's iterations on every ``stride``-th point from a
    k-means++ start (fixed seed)."""
    rng = np.random.default_rng(seed)
    fit = points[::stride]
    centres = [fit[rng.integers(len(fit))]]
    for _ in range(1, k):
        nearest = np.min([((fit - c) ** 2).sum(axis=1) for c in centres], axis=0)
        centres.append(fit[rng.choice(len(fit), p=nearest / nearest.sum())])
    centres = np.array(centres)
    for _ in range(ITERATIONS):
        assigned = _nearest(fit, centres)
        for j in range(k):
            if np.any(assigned == j):
                centres[j] = fit[assigned == j].mean(axis=0)
    return _nearest(points, centres)


def _connected(labels: np.ndarray) -> np.ndarray:
    """``labels`` with every label reduced to its largest 4-connected piece; each connected group of the other
    pieces joins the label it shares the longest border with (every group borders some kept piece)."""
    labels = labels.copy()
    orphan = np.zeros(labels.shape, dtype=bool)
    for value in np.unique(labels):
        pieces, count = ndimage.label(labels == value)
        if count > 1:
            sizes = np.bincount(pieces.ravel())[1:]
            orphan |= (pieces > 0) & (pieces != 1 + int(np.argmax(sizes)))
    groups, count = ndimage.label(orphan)
    border = np.zeros((count + 1, labels.max() + 1), dtype=np.int64)  # [group, label]: shared border length
    for axis in (0, 1):
        for step in (1, -1):
            neighbour, neighbour_group = np.roll(labels, step, axis), np.roll(groups, step, axis)
            edge = np.ones(labels.shape, dtype=bool)  # np.roll wraps around: drop the wrapped row or column
            np.moveaxis(edge, axis, 0)[0 if step == 1 else -1] = False
            touch = edge & (groups > 0) & (neighbour_group == 0)
            np.add.at(border, (groups[touch], neighbour[touch]), 1)
    joined = border.argmax(axis=1)  # every group borders some kept piece (groups are maximal)
    labels[orphan] = joined[groups[orphan]]
    return labels


def superpixels(rgb: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Region index (0 … r−1, r ≤ k, numbered top to bottom by centroid) of every pixel of an (H, W, 3) image in
    [0, 1]; the regions are connected and partition the image."""
    height, width, _ = rgb.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    scale = COMPACTNESS / np.sqrt(height * width / k)
    lab = ndimage.gaussian_filter(rgb_to_lab(rgb), sigma=(SMOOTHING, SMOOTHING, 0))  # texture would fray borders
    points = np.concatenate([lab, (scale * xs)[..., None], (scale * ys)[..., None]], axis=-1)
    labels = _connected(_kmeans(points.reshape(-1, 5), k, seed).reshape(height, width))
    values = np.unique(labels)
    centroids = ndimage.center_of_mass(np.ones_like(labels), labels, values)
    order = sorted(range(len(values)), key=lambda i: centroids[i])  # by centroid row, then column
    renumber = np.zeros(labels.max() + 1, dtype=np.int64)
    renumber[values[order]] = np.arange(len(values))
    return renumber[labels]
