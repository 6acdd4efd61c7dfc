"""Put domain errors (keyed by field path) beside the form fields they belong to."""

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField

# Where a service's field name differs from the form's.
ALIASES = {"reports_to_id": "reports_to", "new_company.name": "new_company_name",
           "new_company.main_phone": "new_company_phone", "new_gatekeeper.full_name":
           "gatekeeper_name", "new_gatekeeper.title": "gatekeeper_title", "phone": "phone"}


def _find(form, path: str):
    node = form
    for part in path.split("."):
        if isinstance(node, FieldList):
            if not part.isdigit() or int(part) >= len(node.entries):
                return None
            node = node.entries[int(part)]
            continue
        if isinstance(node, FormField):
            node = node.form
        node = getattr(node, part, None) if node is not None else None
        if node is None:
            return None
    if isinstance(node, FormField):
        return None
    return node


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Show each message beside its field; messages with no field go to the form's top."""
    for path, message in errors.items():
        field = _find(form, ALIASES.get(path, path))
        # A hidden field has nowhere to show its message: it goes to the top of the form.
        if field is None or not hasattr(field, "errors") or field.type == "HiddenField":
            form.form_errors.append(message)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
