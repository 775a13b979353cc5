"""Hypothesis strategies for the fuzz tests: playbooks (valid and broken), answers files,
journal lines and hostile text."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Text a person or a hostile playbook might write: markup, escapes, YAML-ish words.
HOSTILE_WORDS = [
    "[bold red]x[/]",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x1b]0;owned\x07",
    "\x9b2J",
    "<script>alert(1)</script>",
    "{{ brand }}",
    "{% for x in y %}",
    "```mermaid\ngraph TD; A-->B\n```",
    "../../etc/passwd",
    "yes",
    "no",
    "1.10",
    "null",
    "~",
    "- item",
    "# heading",
    "| a | b |",
    "é",
    "\u202e",
    "\t",
]
hostile_text = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(HOSTILE_WORDS),
    st.lists(st.sampled_from(HOSTILE_WORDS), min_size=1, max_size=3).map(" ".join),
)
# Titles and prompts: something visible, any characters around it.
visible_text = st.builds(
    lambda a, b: f"{a}{b}".strip() or "x",
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["Look", "Pause", "Tell", "Check", "Reply"]),
).filter(lambda s: s.strip() != "")
ids = st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,12}\Z")


def _unique(strategy: Any, size: int) -> Any:
    return st.lists(strategy, min_size=1, max_size=size, unique=True)


@st.composite
def questions(draw: Any, qid: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "yesno", "choice", "multi"]))
    q: dict[str, Any] = {"id": qid, "prompt": draw(visible_text), "type": kind}
    if kind in ("choice", "multi"):
        q["choices"] = draw(_unique(ids, 4))
    if draw(st.booleans()):
        q["required"] = draw(st.booleans())
    return q


@st.composite
def valid_playbooks(draw: Any) -> dict[str, Any]:
    """A playbook mapping the loader must accept."""
    step_ids = draw(st.lists(ids, min_size=1, max_size=7, unique=True))
    used = set(step_ids)
    phase_count = draw(st.integers(1, min(3, len(step_ids))))
    cuts = sorted(draw(st.lists(st.integers(1, len(step_ids) - 1), max_size=phase_count - 1, unique=True))) if len(step_ids) > 1 else []  # fmt: skip
    groups = [step_ids[a:b] for a, b in zip([0, *cuts], [*cuts, len(step_ids)], strict=True)]
    phases = []
    for n, group in enumerate(groups):
        steps = []
        for sid in group:
            step: dict[str, Any] = {"id": sid, "title": draw(visible_text)}
            if draw(st.booleans()):
                step["guidance"] = draw(hostile_text)
            if draw(st.booleans()):
                step["items"] = draw(st.lists(visible_text, min_size=1, max_size=3))
            if draw(st.booleans()):
                qid = f"q-{sid}"[:60]
                if qid not in used:
                    used.add(qid)
                    step["questions"] = [draw(questions(qid))]
            if draw(st.booleans()):
                step["due"] = draw(st.sampled_from(["10m", "1h", "2h 30m", "1d"]))
            if draw(st.booleans()):
                step["checklist"] = draw(st.sampled_from(["do-confirm", "read-do"]))
            if draw(st.booleans()):
                step["message"] = {
                    "template": draw(hostile_text),
                    "platforms": draw(
                        st.lists(
                            st.sampled_from(["x", "bluesky", "threads"]), unique=True, max_size=2
                        )
                    ),
                    "approval": draw(st.booleans()),
                }
            steps.append(step)
        phases.append({"id": f"phase-{n}", "title": draw(visible_text), "steps": steps})
    book: dict[str, Any] = {
        "crisis": 1,
        "id": draw(ids),
        "title": draw(visible_text),
        "version": draw(st.sampled_from(["1", "1.10", "2.0.1"])),
        "phases": phases,
    }
    if draw(st.booleans()):
        book["description"] = draw(hostile_text)
    if draw(st.booleans()):
        book["inputs"] = [draw(questions("brand"))]
    return book


def _mutations(book: dict[str, Any], step: dict[str, Any]) -> Any:
    return st.sampled_from(
        [
            ("drop", book, "id"),
            ("drop", book, "phases"),
            ("drop", step, "title"),
            ("set", book, "crisis", "1"),
            ("set", book, "crisis", 2),
            ("set", book, "id", "Not An Id!"),
            ("set", book, "phases", "not a list"),
            ("set", book, "unknown_key", True),
            ("set", step, "id", "../../etc"),
            ("set", step, "due", "soon"),
            ("set", step, "goto", [{"to": "nowhere"}]),
            ("set", step, "when", {"no-such-question": "yes"}),
            ("set", step, "checklist", "maybe"),
            ("set", step, "milestone", "party"),
            ("set", step, "items", {"a": 1}),
            ("set", step, "questions", [{"id": "q", "prompt": "P", "type": "choice"}]),
            ("set", step, "message", {"template": 5, "platforms": "x"}),
            ("dup-step", book, None),
        ]
    )


@st.composite
def broken_playbooks(draw: Any) -> dict[str, Any]:
    """A valid playbook with one to three things broken."""
    book = draw(valid_playbooks())
    step = book["phases"][0]["steps"][0]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(_mutations(book, step))
        if op[0] == "drop":
            op[1].pop(op[2], None)
        elif op[0] == "set":
            op[1][op[2]] = op[3]
        elif isinstance(book.get("phases"), list) and book["phases"]:
            first = book["phases"][0]
            if isinstance(first, dict) and isinstance(first.get("steps"), list):
                first["steps"].append(dict(first["steps"][0]))
    return book


yaml_noise = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "crisis: 1\nid: [",
            "!!python/object/apply:os.system ['echo owned']",
            "a: &x [*x]",
            "a: &a [1]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c]",
            "\t- tab",
            "key: value\nkey: again",
            "\ufeffcrisis: 1",
            "--- \n--- \n",
            "? [complex]\n: key",
            "%YAML 1.1\n---\nx: y",
        ]
    ),
)

answers_values = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), hostile_text, st.lists(hostile_text, max_size=2)
)


@st.composite
def answers_documents(draw: Any) -> dict[str, Any]:
    """Answers files for tests/fixtures/mini.yaml: mostly plausible, often wrong."""
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["title"] = draw(hostile_text)
    if draw(st.booleans()):
        doc["inputs"] = {
            draw(st.sampled_from(["brand", "source", "nope"])): draw(answers_values)
            for _ in range(draw(st.integers(0, 2)))
        }
    if draw(st.booleans()):
        doc["default"] = draw(st.sampled_from(["done", "skip", "defer", "na", "fly", 3]))
    steps = {}
    for sid in draw(st.lists(st.sampled_from(["look", "safety", "statement", "reply", "nope"]), max_size=3, unique=True)):  # fmt: skip
        spec: dict[str, Any] = {}
        if draw(st.booleans()):
            spec["action"] = draw(st.sampled_from(["done", "skip", ["defer", "done"], "jump", 7]))
        if draw(st.booleans()):
            spec["answers"] = {
                draw(st.sampled_from(["reach", "threat", "zzz"])): draw(answers_values)
            }
        if draw(st.booleans()):
            spec["items"] = draw(st.sampled_from(["all", "none", ["i1"], ["nope"], 5]))
        if draw(st.booleans()):
            spec[draw(st.sampled_from(["notes", "reason", "message", "bogus"]))] = draw(
                answers_values
            )
        steps[sid] = (
            spec if spec or draw(st.booleans()) else draw(st.sampled_from([None, "done", 5]))
        )
    if steps or draw(st.booleans()):
        doc["steps"] = steps
    if draw(st.booleans()):
        doc[draw(st.sampled_from(["close", "drill", "extra"]))] = draw(answers_values)
    return doc
