"""What the person page shows beyond the person: timeline, ladder step and the touchpoint form."""

from typing import Any

from flask_login import current_user

from app.models import Person
from app.people.boxes import FillBoxForm, who_to_ask
from app.touchpoints.forms import TouchpointForm
from app.touchpoints.service import LadderStep, ladder_step
from app.touchpoints.timeline import person_timeline


def person_page_context(
    person: Person, form: TouchpointForm | None = None, page: int = 1,
    fill_form: FillBoxForm | None = None,
) -> dict[str, Any]:
    """Template variables for people/detail.html (form given: redisplayed with its errors).

    An empty box's page also gets who to ask and the form that names it (fill_form given:
    redisplayed with its errors)."""
    if form is None:
        form = TouchpointForm(formdata=None)
        form.start_now(current_user)
    box: dict[str, Any] = {}
    if person.placeholder:
        box = {"leads": who_to_ask(person), "fill_form": fill_form or FillBoxForm(formdata=None)}
    return {
        **box,
        "person": person,
        "timeline": person_timeline(person, page),
        "ladder": ladder_step(person),
        "LadderStep": LadderStep,
        "touchpoint_form": form,
    }
