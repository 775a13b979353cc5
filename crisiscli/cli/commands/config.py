from __future__ import annotations

from typing import Annotated, Any

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Show or change settings (TOML in CRISIS_HOME/config.toml).

Settings: actor, timezone, severity_levels, default_severity, playbook_dirs,
platform_limits.<platform>, notify.webhook.<name>, notify.webhook, notify.command,
notify.desktop, notify.bell, notify.kinds, roster.*, sync.auto, redact (words `crisis report
--redact` always replaces). An unknown setting or a bad value is refused with exit code 2.
Webhook URLs are secrets: they are shown shortened, never in full; journals, logs and reports
name a webhook only by its name. See docs/config.md, docs/notify.md.

\b
Examples:
  crisis config
  crisis config set actor "Dana (comms lead)"
  crisis config set timezone Europe/Berlin
  crisis config set severity_levels sev3 sev2 sev1
  crisis config set playbook_dirs ~/team-playbooks /srv/shared/playbooks
  crisis config set platform_limits.x 25000
  crisis config set notify.webhook.team-chat https://hooks.slack.com/services/T000/B000/XXXX
  crisis config set notify.command /usr/local/bin/page-the-team --quiet
  crisis config get timezone
  crisis config unset timezone
"""

sub = command_group(HELP, default_command=True)


def _shown(value: Any, key: str = "") -> str:
    from crisiscli.config import shown_value

    value = shown_value(key, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


@sub.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show every setting, its value and where it comes from."""
    if ctx.invoked_subcommand is not None:
        return
    from crisiscli.config import KEYS, load_config, shown_value
    from crisiscli.env import get_env
    from crisiscli.ui.output import echo, echo_json

    env = get_env()
    config = load_config(env)
    if as_json:
        echo_json(
            {
                "file": str(config.path),
                "settings": {k: shown_value(k, v) for k, v in config.values.items()},
                "effective": {
                    "actor": env.actor,
                    "timezone": config.timezone,
                    "severity_levels": list(config.severity_levels),
                    "default_severity": config.default_severity,
                    "playbook_dirs": [str(p) for p in config.playbook_dirs],
                    "platform_limits": dict(config.platform_limits),
                    "notify": {
                        "webhook": {
                            name: shown_value("notify.webhook.name", url)
                            for name, url in config.notify_webhooks
                        },
                        "command": list(config.notify_command),
                        "desktop": config.notify_desktop,
                        "bell": config.notify_bell,
                        "kinds": list(config.notify_kinds),
                    },
                    "redact": list(config.redact),
                },
            }
        )
        return
    exists = config.path is not None and config.path.exists()
    echo(f"Settings file: {config.path}" + ("" if exists else " (none yet: all defaults)"))
    defaults = {
        "actor": f"(default: {env.actor})",
        "timezone": "(default: the system's time zone)",
        "severity_levels": "(default: the playbook's own, else low moderate high critical)",
        "default_severity": "(default: the playbook's)",
        "playbook_dirs": "(none)",
        "notify.webhook": "(none)",
        "notify.command": "(none)",
        "notify.desktop": "(default: false)",
        "notify.bell": "(default: true)",
        "notify.kinds": "(default: all)",
        "sync.auto": "(default: off)",
        "signing.key": "(default: git's user.signingkey, where the team signs)",
        "approval.require_signature": "(default: false)",
        **{key: "(none)" for key in KEYS if key.startswith("roster.")},
        "redact": "(none)",
    }
    width = max(len(k) for k in KEYS)
    for key in KEYS:
        if key.startswith("platform_limits.") or key == "notify.webhook.<name>":
            continue
        value = config.values.get(key)
        shown = _shown(value, key) if value is not None else defaults[key]
        echo(f"  {key.ljust(width)}  {shown}")
    if config.actor and env.actor != config.actor:
        echo(f"  (events are recorded as {env.actor}: the CRISIS_USER variable wins)")
    named = sorted(k for k in config.values if k.startswith("notify.webhook."))
    for key in named:
        echo(f"  {key.ljust(width)}  {_shown(config.values[key], key)}")
    limits = sorted(k for k in config.values if k.startswith("platform_limits."))
    for key in limits:
        echo(f"  {key.ljust(width)}  {config.values[key]}")
    if not limits:
        echo(f"  {'platform_limits.*'.ljust(width)}  (built-in limits)")


@sub.command("get")
def get(key: Annotated[str, typer.Argument(help="The setting, e.g. timezone.")]) -> None:
    """Print one setting's value (nothing, exit 0, when it is not set).

    \b
    Examples:
      crisis config get timezone
      crisis config get platform_limits
    """
    from crisiscli.config import known_key, load_config
    from crisiscli.config import unknown_key as unknown
    from crisiscli.env import get_env
    from crisiscli.ui.output import echo

    if not known_key(key) and key != "platform_limits":
        raise unknown(key)
    config = load_config(get_env())
    if key == "platform_limits":
        for name, limit in sorted(config.platform_limits.items()):
            echo(f"{name} = {limit}")
        return
    value = config.values.get(key)
    if value is not None:
        echo(_shown(value, key))


# Words after the key are values, even when they look like options: a hook's own flags
# (`crisis config set notify.command notify-team --quiet`) are its arguments, not ours.
@sub.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    key: Annotated[str, typer.Argument(help="The setting, e.g. timezone.")],
    values: Annotated[
        list[str], typer.Argument(help="The value; lists take several values.", show_default=False)
    ],
) -> None:
    """Set one setting (checked before it is written).

    \b
    Examples:
      crisis config set timezone Europe/Berlin
      crisis config set severity_levels sev3 sev2 sev1
    """
    from crisiscli.config import load_config, parse_cli_value, save_config
    from crisiscli.env import get_env
    from crisiscli.ui.output import echo

    env = get_env()
    value = parse_cli_value(key, list(values))
    stored = dict(load_config(env).values)
    stored[key] = value
    config = save_config(env, stored)
    echo(f"{key} = {_shown(value, key)}  ({config.path})")


@sub.command("unset")
def unset(key: Annotated[str, typer.Argument(help="The setting to remove.")]) -> None:
    """Remove one setting, so its default applies again.

    \b
    Examples:
      crisis config unset timezone
    """
    from crisiscli.config import known_key, load_config, save_config
    from crisiscli.config import unknown_key as unknown
    from crisiscli.env import get_env
    from crisiscli.ui.output import echo

    env = get_env()
    if not known_key(key):
        raise unknown(key)
    stored = dict(load_config(env).values)
    if stored.pop(key, None) is None:
        echo(f"{key} was not set.")
        return
    save_config(env, stored)
    echo(f"{key} unset.")


def register(app: typer.Typer) -> None:
    app.add_typer(sub, name="config", help=HELP)
