"""Tabletop drills: scenarios with timed injects, played as journal events, scored afterwards.

``scenario`` reads a scenario file (untrusted YAML, errors at file:line:column), ``rules``
lints it against its playbook, ``clock`` is the drill's clock (simulated, or real time
compressed by a speed, paused and resumed), ``player`` records the injects that are due
exactly once, ``runner`` plays a whole drill unattended from an answers file, ``score``
judges the fold of a drill incident against the scenario's expectations and ``junit``
writes that judgement for CI. docs/drills.md is the user's guide.
"""
