"""Form widgets whose options carry data for the page's scripts (`data-tracks`...).

The server always limits the choices itself; the attributes only let a script hide, as the
candidate changes one choice, the options another choice rules out.
"""

from __future__ import annotations

from typing import Any

from django import forms


class _Tagged:
    """Adds `option_attrs[value]` to each rendered option."""

    option_attrs: dict[str, dict[str, str]]

    def create_option(  # type: ignore[no-untyped-def]
        self, name, value, label, selected, index, subindex=None, attrs=None
    ) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(  # type: ignore[misc]
            name, value, label, selected, index, subindex=subindex, attrs=attrs
        )
        option["attrs"] = {**option["attrs"], **self.option_attrs.get(str(value), {})}
        return option


class TaggedSelect(_Tagged, forms.Select):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_attrs = {}


class TaggedRadioSelect(_Tagged, forms.RadioSelect):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_attrs = {}
