"""`python -m analysis COMMAND`: see analysis.cli."""

from analysis.cli import main

raise SystemExit(main())
