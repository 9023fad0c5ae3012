"""`python -m analysis COMMAND`: see analysis.cli.

Once the command has returned and the exit handlers have run, the process ends without the interpreter's
teardown: freeing the modules a build loads (pandas, nbconvert, jupyter_client, bs4 …) took 0.2 s, which
every `make` waited for.
"""

import atexit
import os
import sys

from analysis.cli import main

code = main()
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
