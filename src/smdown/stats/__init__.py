"""Statistics: evaluation metrics (and, later, Mann-Kendall trends, seasons and periods)."""
