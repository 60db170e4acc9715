"""``python -m roikit``: the command line."""

from roikit.cli import main

main()
