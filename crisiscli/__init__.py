"""crisis: a calm, crash-safe guide through a social-media crisis."""

__version__ = "0.1.0"


def _interrupted_early(signum: int, frame: object) -> None:
    """Ctrl-C before a command runs (while Python imports crisis, or after it is done):
    one line and exit 130, at once — never a traceback from the middle of an import."""
    import os

    try:
        os.write(2, b"crisis: interrupted\n")
    finally:
        os._exit(130)


def _utf8_reexec() -> None:
    """Under ``LC_ALL=C`` (or POSIX) with ``PYTHONUTF8=0`` Python decodes the command line,
    the environment and file names as ASCII: "Café" arrives as lone surrogates and every
    path with an accent is unusable. Python itself switches to UTF-8 there unless told not
    to (PEP 540); crisis starts itself again in UTF-8 mode (``-X utf8``), so the bytes the
    terminal sent are read as the UTF-8 they almost certainly are. Nothing else pays: it
    happens only where the file system encoding is ASCII."""
    import os
    import sys

    if sys.flags.utf8_mode or os.name != "posix" or getattr(sys, "frozen", False):
        return
    if sys.getfilesystemencoding().lower() not in ("ascii", "ansi_x3.4-1968", "us-ascii"):
        return
    original = list(getattr(sys, "orig_argv", []) or [])
    if len(original) < 2 or not sys.executable:
        return
    import contextlib

    # The new process has UTF-8 mode on: it cannot come back here. If it cannot be started,
    # carry on: every output stays tolerant, and text that is no UTF-8 is exit 3.
    with contextlib.suppress(OSError):
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *original[1:]])


def _is_the_command() -> bool:
    """This process is the ``crisis`` command (the script, or ``python -m crisiscli``)."""
    import os
    import sys

    argv = getattr(sys, "orig_argv", None) or sys.argv
    script = os.path.basename(sys.argv[0] if sys.argv else "")
    return script in ("crisis", "crisis.exe") or ("-m" in argv[1:3] and "crisiscli" in argv[1:4])


def _install_early_interrupt_handler() -> None:
    """Ctrl-C before the command runs is one line and exit 130."""
    import signal

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _interrupted_early)
    except (ValueError, OSError):  # not the main thread, or no signals here
        pass


if _is_the_command():  # importing the library elsewhere (tests, notebooks) changes nothing
    _utf8_reexec()  # before anything else is imported: a restart costs the least here
    _install_early_interrupt_handler()
