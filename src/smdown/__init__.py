"""smdown: the library behind the soil-moisture downscaling workflow.

Data flows one way: sources -> grid -> (insitu, training) -> product -> stats -> plots.
"""

__version__ = "0.1.0"
