"""Select options in the form WTForms 3.3+ expects (tuples are deprecated there)."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def as_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
