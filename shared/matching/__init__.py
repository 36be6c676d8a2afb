"""Who may apply (screening), how well it fits (ranking, relevance, money), and the engine that
joins them. Pure Python: the match function and `grantmatch rank` run exactly this code."""
