"""`python -m shared.cli` is the same as the `grantmatch` console script."""

from shared.cli import main

main()
