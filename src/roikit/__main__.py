"""``python -m roikit``: the command line."""

from roikit.frontends.cli import main

main()
