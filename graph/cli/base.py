"""The ``wckg`` command's Typer app, its consoles and error exit, shared by the command
modules (``*_cmds.py``), which register their commands on :data:`app`; the package
``graph.cli`` imports them all (this module imports none of them: no import cycle)."""
from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console

from ..errors import ConfigError, WckgError


def _rich_help() -> bool:
    """Boxed help only on a terminal wide enough for it: piped (``| less``, ``> file``) or at
    80 columns, rich's help panels cut option text short, so Click's plain help is used,
    which wraps every word and draws no boxes."""
    import shutil
    return sys.stdout.isatty() and shutil.get_terminal_size().columns >= 100


app = typer.Typer(
    name="wckg",
    help="wckg: the Water Cooperation Knowledge Graph (build, validate, query, serve, publish).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich" if _rich_help() else None,
)

#: Messages and tables for people go to stderr so that stdout stays machine-readable.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, emoji=False)


def fail(e: WckgError) -> None:
    """Print a library error for a person and exit with its code."""
    err.print("error:", style="bold red", end=" ")
    err.print(str(e), markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(e.exit_code)


def settings_error(e: Any) -> ConfigError:
    """A pydantic ValidationError of :class:`graph.config.Settings` as one line per setting,
    named as it is set (``WCKG_NETWORK_NICE=30: Input should be less than or equal to 19``)."""
    lines = [f"WCKG_{'_'.join(str(x) for x in err['loc']).upper()}={err.get('input')!s}: {err['msg']}"
             for err in e.errors()]
    return ConfigError("wrong setting: " + "; ".join(lines),
                       hint="fix the variable in the environment or in .env (README, Settings)")


def main() -> None:
    from pydantic import ValidationError
    try:
        app()
    except WckgError as e:
        fail(e)
    except ValidationError as e:  # a WCKG_* setting (environment or .env) of the wrong form
        fail(settings_error(e))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
