"""Grids, region masks, regridding, units and calendars."""
