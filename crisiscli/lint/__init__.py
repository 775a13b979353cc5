"""``crisis lint``: check playbooks the way CI checks code.

``rules`` is the registry (stable ``CR`` ids), ``checks`` lints one file (the loader's
positioned problems plus ``semantic`` checks on the built model), ``noqa`` applies
suppression comments, ``config`` reads ``[tool.crisis.lint]`` / ``crisis.toml``,
``runner`` finds files and spreads them over processes, ``formatters`` renders the
report. The command itself is ``crisiscli/cli/commands/lint.py``.
"""
