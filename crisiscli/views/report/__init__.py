"""Post-mortem reports and cross-incident statistics, derived from journals only.

``model.build_report`` folds one incident's events and playbook snapshot into a plain,
JSON-ready mapping (the documented ``--format json`` output and the context every template
sees); ``render`` turns it into markdown, HTML or JSON (Jinja2, sandboxed, imported only
there); ``redact`` makes a public version; ``stats`` aggregates many incidents. Nothing
here writes to an incident: a report can be regenerated at any time.
"""

from __future__ import annotations

FORMAT = "crisis-report"
FORMAT_VERSION = 1
