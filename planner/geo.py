"""Distances between practices: great-circle on a sphere of the mean Earth radius by default, or, for
benchmark families with their own conventions, planar Euclidean or a given matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in WGS84 degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class GreatCircle:
    """Great-circle km between WGS84 coordinates (the engine's locality convention)."""

    latitude: np.ndarray
    longitude: np.ndarray

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Distances between positions a[k] and b[k] (broadcasts)."""
        return haversine_km(self.latitude[a], self.longitude[a], self.latitude[b], self.longitude[b])


@dataclass(frozen=True, eq=False)
class Planar:
    """Euclidean distance between planar coordinates, optionally rounded as some benchmark families do."""

    x: np.ndarray
    y: np.ndarray
    rounding: str = "none"
    """'none', 'floor' or 'nearest' (round to the nearest integer)."""

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Distances between positions a[k] and b[k] (broadcasts)."""
        d = np.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])
        if self.rounding == "floor":
            return np.floor(d)
        if self.rounding == "nearest":
            return np.floor(d + 0.5)
        return d


@dataclass(frozen=True, eq=False)
class GivenMatrix:
    """Distances read from a full matrix (e.g. shortest paths of a benchmark's graph)."""

    matrix: np.ndarray

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Distances between positions a[k] and b[k] (broadcasts)."""
        return self.matrix[a, b]


def among(metric, members) -> np.ndarray:
    """Square matrix of distances among the given positions."""
    idx = np.asarray(members, dtype=np.int64)
    return metric.between(idx[:, None], idx[None, :])


def restrict(metric, idx: np.ndarray):
    """The same distance convention on a subset of positions (renumbered 0..len(idx)-1)."""
    idx = np.asarray(idx, dtype=np.int64)
    if isinstance(metric, GreatCircle):
        return GreatCircle(metric.latitude[idx], metric.longitude[idx])
    if isinstance(metric, Planar):
        return Planar(metric.x[idx], metric.y[idx], metric.rounding)
    if isinstance(metric, GivenMatrix):
        return GivenMatrix(metric.matrix[np.ix_(idx, idx)])
    raise TypeError(f"cannot restrict a {type(metric).__name__}")
