"""`python -m gatebook` is the `gatebook` command."""

from gatebook.cli import main

main()
