"""The ``crisis`` command: registers one module per command and owns error handling.

Start-up is kept lean on purpose (a stressed user types ``crisis`` a lot): this module
imports typer and the command modules only; every command imports what it needs inside
its function. Typer's Rich help is off (``rich_markup_mode=None``) so ``--help`` never
loads Rich.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from crisiscli import __version__, commands
from crisiscli.env import get_env
from crisiscli.errors import CrisisError, ExitCode

app = typer.Typer(
    name="crisis",
    help=(
        "Walk a social-media crisis step by step, with a crash-safe incident log.\n\n"
        "Start with `crisis start`; if anything interrupts you, `crisis resume` continues "
        "exactly where you were. Data lives in CRISIS_HOME (see `crisis status`)."
    ),
    epilog="Docs: README.md and docs/ in the source tree. Exit codes: docs/exit-codes.md.",
    rich_markup_mode=None,
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
    """Every module in ``crisiscli.commands`` not starting with ``_`` is a command."""
    global _registered
    if _registered:
        return
    _registered = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"crisiscli.commands.{info.name}")
        module.register(app)


_PLAIN_TYPES: tuple[type, ...] = (str, int, float, Path, bool)


def _plain_coercion() -> None:
    """Coerce plain parameters (flags, text, numbers, paths) without pydantic.

    typer 0.29 validates every parameter, even ``--help``, through a pydantic
    ``TypeAdapter``, which imports pydantic on each run: about a third of the start-up of
    every subcommand (see docs/benchmarks.md). Our parameters are plain, so they get a
    direct conversion; anything else keeps typer's own. This leans on typer internals,
    so it steps aside quietly if they ever change.
    """
    try:
        from typer._click.exceptions import BadParameter
        from typer._coercion import PassThroughRuntimeParam
        from typer.core import _TyperParameter
    except ImportError:  # pragma: no cover - another typer layout
        return
    typer_own = _TyperParameter.get_runtime_param
    if getattr(typer_own, "crisis_plain", False):
        return

    class Plain(PassThroughRuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if isinstance(value, kind):
                return value
            if kind is bool:  # flags arrive as booleans; anything else is an error
                raise BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=param)
            try:
                return kind(value)
            except (TypeError, ValueError):
                label = {int: "integer", float: "float"}.get(kind, kind.__name__)
                raise BadParameter(
                    f"{value!r} is not a valid {label}.", ctx=ctx, param=param
                ) from None

    def get_runtime_param(self: Any) -> Any:
        desc = self.type_descriptor
        if (
            self._runtime_param is None
            and desc.annotation in _PLAIN_TYPES
            and desc.file_annotation is None
            and desc.parameter_info.min is None
            and desc.parameter_info.max is None
        ):
            self._runtime_param = Plain(
                annotation=desc.annotation, parameter_info=desc.parameter_info
            )
        return typer_own(self)

    get_runtime_param.crisis_plain = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]


def _fail(message: str, code: int, hint: str | None = None) -> NoReturn:
    from crisiscli.output import echo_err

    echo_err(f"crisis: error: {message}")
    if hint:
        echo_err(f"  hint: {hint}")
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    env = get_env()
    if "--debug" in args:
        env.debug = True
    register_commands()
    _plain_coercion()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="crisis", standalone_mode=False)
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
