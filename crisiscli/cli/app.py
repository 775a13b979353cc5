"""The ``crisis`` command: registers one module per command and owns error handling.

Start-up is kept lean on purpose (a stressed user types ``crisis`` a lot): this module
imports typer and the command modules only; every command imports what it needs inside
its function. Typer's Rich help is off (``rich_markup_mode=None``) so ``--help`` never
loads Rich.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from crisiscli import __version__
from crisiscli.cli import commands
from crisiscli.env import get_env
from crisiscli.errors import CrisisError, ExitCode

COMMANDS_DIR = os.path.dirname(commands.__file__)


def command_names() -> list[str]:
    """Every ``crisiscli/cli/commands/<name>.py`` not starting with ``_`` is the command ``name``."""
    return sorted(
        entry[:-3]
        for entry in os.listdir(COMMANDS_DIR)
        if entry.endswith(".py") and not entry.startswith("_")
    )


_SUMMARY = re.compile(r'^HELP = """(.*)$', re.MULTILINE)


def command_summary(name: str) -> str:
    """The first line of a command's HELP, read from its source without importing it
    (top-level ``--help`` would otherwise execute two dozen modules)."""
    try:
        with open(os.path.join(COMMANDS_DIR, f"{name}.py"), encoding="utf-8") as handle:
            match = _SUMMARY.search(handle.read())
    except OSError:
        match = None
    if match:
        return match.group(1).strip()
    module = importlib.import_module(f"crisiscli.cli.commands.{name}")
    lines = str(getattr(module, "HELP", "") or "").strip().splitlines()
    return lines[0] if lines else ""


def build_command(name: str) -> Any:
    """Build one command (typer turns its signature into options only when it is used)."""
    module = importlib.import_module(f"crisiscli.cli.commands.{name}")
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    module.register(holder)  # the module says how it is registered: name, help, options
    for info in holder.registered_commands:
        if info.name == name:
            # Only the command, not a group around it: typer reads every signature it
            # builds from (type hints evaluated, defaults inspected), and that is most of
            # what a command costs before it runs.
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=holder.pretty_exceptions_short, rich_markup_mode=None
            )

    @holder.callback()
    def _holder() -> None:  # a group of subcommands: typer builds it inside a group
        pass

    group = typer.main.get_command(holder)
    return group.commands[name]  # type: ignore[attr-defined]


class LazyGroup(TyperGroup):
    """Builds only the command being run; top-level help reads each module's HELP."""

    def list_commands(self, ctx: Any) -> list[str]:
        return command_names()

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            if cmd_name not in command_names():
                return None
            command = build_command(cmd_name)
            if "_CRISIS_COMPLETE" in os.environ:  # Tab: incident and playbook ids too
                from crisiscli.cli.completion import attach

                attach(command)
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in command_names():
            rows.append((name, command_summary(name)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as exc:
            from crisiscli.invocation import closest_command

            message = getattr(exc, "message", None)
            match = closest_command(args[0], command_names()) if args else None
            if match and isinstance(message, str):
                plain = message.split("Did you mean")[0].strip().rstrip(".")
                exc.message = f"{plain}. Did you mean '{match}'?"
            raise


app = typer.Typer(
    name="crisis",
    help=(
        "Walk a social-media crisis step by step, with a crash-safe incident log.\n\n"
        "Start with `crisis start`; if anything interrupts you, `crisis resume` continues "
        "exactly where you were. Data lives in CRISIS_HOME (see `crisis status`)."
    ),
    epilog="Docs: README.md and docs/ in the source tree. Exit codes: docs/exit-codes.md.",
    rich_markup_mode=None,
    cls=LazyGroup,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        get_env().stdout.write(f"crisis {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback for unexpected errors.")
    ] = False,
) -> None:
    """Walk a social-media crisis step by step, with a crash-safe incident log."""
    if debug:
        get_env().debug = True


_registered = False


def register_commands() -> None:
    """Register every command on ``app`` eagerly (docs and tests; ``main`` stays lazy)."""
    global _registered
    if _registered:
        return
    _registered = True
    for name in command_names():
        importlib.import_module(f"crisiscli.cli.commands.{name}").register(app)


def _fail(message: str, code: int, hint: str | None = None) -> NoReturn:
    from crisiscli.invocation import as_typed
    from crisiscli.ui.output import echo_err

    echo_err("crisis: error: " + " ".join(message.splitlines()))
    if hint:
        echo_err("  hint: " + as_typed(" ".join(hint.splitlines())))
    raise SystemExit(code)


def _run(command: Any, args: list[str]) -> Any:
    """Run the command; then send the notifications it gave rise to, and show, once, what
    the library warned about on the way (a log that could not be rewritten, a journal line
    left out, a webhook that did not answer…), also on failure."""
    try:
        return command.main(args=args, prog_name="crisis", standalone_mode=False)
    finally:
        _notify(get_env())
        warnings = get_env().take_warnings()
        if warnings:
            from crisiscli.ui.output import warn

            for warning in warnings:
                warn(warning)


OUTBOX = "notify-outbox"  # crisiscli/team/notify/outbox.py: a delivery is owed


def _notify(env: Any) -> None:
    """What every command pays when nothing is owed and nothing worth telling was recorded:
    one stat (``crisis note`` loads nothing more). Otherwise the notifier sends it now."""
    owed = os.path.isdir(os.path.join(env.home, OUTBOX))
    if not owed and not env.recorded:
        return
    if not owed:
        from crisiscli.record.events import notifies

        if not notifies(set().union(*env.recorded.values())):
            return
    from crisiscli.walk.notifier import after_command

    try:
        after_command(env)
    except Exception as exc:  # a notification never turns a command into a failure
        if env.debug:
            raise
        env.warn(f"notifications not sent ({type(exc).__name__}: {exc})")


def main(argv: list[str] | None = None) -> None:
    from crisiscli.ui.encoding import tolerant_standard_streams

    tolerant_standard_streams()  # a latin-1 or ASCII terminal gets "?" and "-", never a crash
    args = list(sys.argv[1:] if argv is None else argv)
    env = get_env()
    if "--debug" in args:
        env.debug = True
    if "_CRISIS_COMPLETE" in os.environ:  # a completion script asking (crisis completion)
        from typer._completion_classes import completion_init  # typer has no public name

        completion_init()
    command = typer.main.get_command(app)
    try:
        result = _run(command, args)
    except CrisisError as exc:
        if env.debug:
            import traceback

            traceback.print_exc()
        _fail(exc.one_line(), int(exc.exit_code), exc.hint)
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        _fail("aborted", int(ExitCode.INTERRUPTED))
    except KeyboardInterrupt:
        _fail("interrupted", int(ExitCode.INTERRUPTED))
    except typer.TyperException as exc:  # click's usage errors, bad parameters
        if type(exc).__name__ == "NoArgsIsHelpError":
            env.stdout.write(exc.format_message().rstrip() + "\n")
            raise SystemExit(0) from None
        ctx = getattr(exc, "ctx", None)
        hint = f"see: {ctx.command_path} --help" if ctx is not None else None
        _fail(exc.format_message(), int(ExitCode.USAGE), hint)
    except BrokenPipeError:
        raise SystemExit(0) from None
    except OSError as exc:
        if env.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}", int(ExitCode.IO_ERROR))
    except Exception as exc:
        if env.debug:
            raise
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); nothing recorded was lost",
            int(ExitCode.INTERNAL),
            "run again with --debug for a traceback, and report it",
        )
    raise SystemExit(result if isinstance(result, int) else 0)


def entry() -> None:
    """The process's entry point: the ``crisis`` script and ``python -m crisiscli``.

    Tests call ``main`` instead: this one ends the process's life as far as Python's
    collector is concerned."""
    try:
        main()
    finally:
        # What is alive now lives until the process exits, and the collections Python runs
        # while shutting down would walk all of it for nothing: measured, that took longer
        # than importing crisis's own modules. Frozen objects are skipped there; atexit
        # handlers, the wait for threads and the flush of the streams still run.
        import gc

        gc.freeze()
