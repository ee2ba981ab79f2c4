"""`python -m dosecal`: the same as the `dosecal` command."""

from dosecal.cli.main import main

main()
