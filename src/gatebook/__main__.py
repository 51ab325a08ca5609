"""`python -m gatebook` is the `gatebook` command."""

from gatebook.entry import main

main()
