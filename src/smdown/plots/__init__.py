"""Figures. Plots draw what the library computed; they compute no science themselves.

Every figure is drawn off screen: the Agg backend is chosen here, once, before any plot module
imports pyplot.
"""

import matplotlib

matplotlib.use("Agg")
