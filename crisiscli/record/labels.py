"""What events are called: step titles, question labels, answer labels, item texts.

``PlaybookNames`` is what ``describe.describe`` asks while the fold applies events: names come
from the playbook snapshot, and ``{{ placeholders }}`` in item texts are filled with the
incident's answers as they stand at that moment, so a timeline never shows ``{{ brand }}``
once the brand is known. The playbook is only loaded when a name is actually needed (a note
typed in a second terminal names no step, and ``crisis note`` stays fast).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from crisiscli.i18n import Catalogue, catalogue
from crisiscli.playbook.template import display_value, render
from crisiscli.timeutil import local_and_utc

if TYPE_CHECKING:
    from crisiscli.playbook.model import Playbook
    from crisiscli.record.fold import IncidentState


def known_answers(state: IncidentState) -> dict[str, Any]:
    return {**state.inputs, **state.answers}


def choice_label(playbook: Playbook, question_id: str, value: Any) -> Any:
    """The label a person chose, not the stored value, where the question has choices."""
    labels = playbook.choice_labels().get(question_id)
    if not labels:
        return value
    if isinstance(value, list):
        return [labels.get(str(v), str(v)) for v in value]
    return labels.get(str(value), value) if value is not None else None


def template_values(playbook: Playbook, state: IncidentState, incident_id: str) -> dict[str, Any]:
    """Variables for ``{{ name }}``: inputs and answers (choice labels), incident facts."""
    values = {qid: choice_label(playbook, qid, v) for qid, v in known_answers(state).items()}
    values.update(
        {
            "incident.title": state.title,
            "incident.severity": state.severity,
            "incident.id": incident_id,
            "playbook.title": playbook.title,
        }
    )
    return values


class PlaybookNames:
    """``describe.Names`` over a (lazily loaded) playbook and the state being folded."""

    def __init__(
        self,
        playbook: Callable[[], Playbook],
        state: IncidentState,
        incident_id: str,
        tz: tzinfo | None,
    ) -> None:
        self._load = playbook
        self._playbook: Playbook | None = None
        self.state = state
        self.incident_id = incident_id
        self.tz = tz
        self._words: Catalogue | None = None

    @property
    def playbook(self) -> Playbook:
        if self._playbook is None:
            self._playbook = self._load()
        return self._playbook

    def step_title(self, step_id: str) -> str:
        try:
            return self.playbook.step(step_id).title
        except KeyError:
            return f"step {step_id}"

    def question_label(self, question_id: str) -> str:
        question = self.playbook.questions().get(question_id)
        return question.prompt if question else question_id

    def answer_label(self, question_id: str, value: Any) -> str:
        return display_value(choice_label(self.playbook, question_id, value)) or "—"

    def item_text(self, step_id: str, item_id: str) -> str:
        text = self.playbook.item_text(step_id, item_id)
        if "{{" not in text:
            return text  # most items name no variable: no need to gather the answers
        filled, _missing = render(text, self.values())
        return filled

    def values(self) -> Mapping[str, Any]:
        return template_values(self.playbook, self.state, self.incident_id)

    def time_text(self, ts: datetime) -> str:
        return local_and_utc(ts, self.tz, date=True)

    @property
    def words(self) -> Catalogue:
        """The playbook's language (named in the incident's opening event; an incident
        opened before it was named there asks the playbook)."""
        if self._words is None:
            named = self.state.playbook.get("language") if self.state.playbook else None
            language = named if isinstance(named, str) else self.playbook.language
            self._words = catalogue(language)
        return self._words
