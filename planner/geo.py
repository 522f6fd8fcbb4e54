"""Great-circle distances between practices, on a sphere of the mean Earth radius."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in WGS84 degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix_km(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """Full n x n great-circle distance matrix in km."""
    lat, lon = np.asarray(latitude, float), np.asarray(longitude, float)
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
