"""Statistics: evaluation metrics, Taylor statistics, Mann-Kendall trends with Sen's slope,
seasonal series, periods and regional means."""
