"""Figures. Plots draw what the library computed; they compute no science themselves."""
