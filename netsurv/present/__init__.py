"""Present: publication tables, plots, the HTML report and the command line."""
