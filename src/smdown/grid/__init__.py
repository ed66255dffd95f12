"""The analysis grid: regridding onto it (exact conservative, bilinear) and region masks on it."""
