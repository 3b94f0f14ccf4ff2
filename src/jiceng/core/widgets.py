"""Form widgets every app may use.

``SearchSelect`` is the select for a list that can be long (a county officer's 1,800 organisations,
a village's thousands of residents): the page holds only the chosen option and the first few, and a
search box asks a lookup endpoint (core.lookup, people's member lookup) for the options matching
what is typed, which htmx puts into the select. The select stays the real field: the form posts
its value as before and the form or the view checks it against the actor's scope exactly as it
did with the full list (an id typed in by hand outside the scope is still refused). Without
script the search box stays hidden and the select still works, with fewer options.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

INITIAL_OPTIONS = 20  # options a select holds before anything is searched
SEARCH_MAX_LENGTH = 50  # what the lookup endpoints accept (core.lookup.search_term)


class SearchSelect(forms.Select):
    """``SearchSelect(url_name="org_lookup", params={"perm": CHANGE_MEMBER, "kind": "branch,group"})``.

    The options drawn with the page come from, in this order: the queryset given to ``scope()`` (a
    selector's, unsliced: the widget adds the chosen row and the first ``initial_count``), the
    queryset of a ModelChoiceField, or the field's own list of choices. ``params`` and
    ``url_kwargs`` go to the lookup URL; the endpoint only ever narrows them to the actor's scope.
    """

    template_name = "core/widgets/search_select.html"

    def __init__(
        self,
        *,
        url_name: str,
        params: dict[str, Any] | None = None,
        url_kwargs: dict[str, Any] | None = None,
        min_chars: int = 1,
        initial_count: int = INITIAL_OPTIONS,
        blank_label: Any = "—",
        attrs: dict[str, Any] | None = None,
    ):
        super().__init__(attrs)
        self.url_name = url_name
        self.params = dict(params or {})
        self.url_kwargs = dict(url_kwargs or {})
        self.min_chars = min_chars
        self.initial_count = initial_count
        self.blank_label = blank_label
        self.queryset: QuerySet | None = None
        self.label_of: Callable[[Any], str] = str

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        obj.url_kwargs = dict(self.url_kwargs)
        obj.attrs = copy.deepcopy(self.attrs, memo)
        return obj

    def scope(
        self,
        queryset: QuerySet | None = None,
        *,
        label: Callable[[Any], str] | None = None,
        params: dict[str, Any] | None = None,
        url_kwargs: dict[str, Any] | None = None,
    ) -> SearchSelect:
        """What this form's select offers: a selector's scoped queryset, how a row reads, and what
        the lookup URL needs for this page (a village's id, the subtree to search in)."""
        if queryset is not None:
            self.queryset = queryset
        if label is not None:
            self.label_of = label
        self.params.update({k: v for k, v in (params or {}).items() if v not in (None, "")})
        self.url_kwargs.update(url_kwargs or {})
        return self

    # --- the options drawn with the page -------------------------------------------------------------

    def offered(self, value: Iterable[Any]) -> list[tuple[Any, str]]:
        """(value, label) of the options the select holds: the blank one where it belongs, the
        chosen row (if it is in the list; nothing is shown for an id outside it) and the first
        rows of the list. Never the whole list."""
        wanted = [str(v) for v in value if v not in ("", None)]
        if self.queryset is not None:
            rows = _from_queryset(self.queryset, wanted, self.label_of, self.initial_count)
        elif isinstance(self.choices, ModelChoiceIterator):
            field = self.choices.field
            key = field.to_field_name or "pk"
            rows = _from_queryset(
                self.choices.queryset,
                wanted,
                field.label_from_instance,
                self.initial_count,
                key=key,
                value_of=field.prepare_value,
            )
        else:
            rows = _from_list(self.choices, wanted, self.initial_count)
        chosen = any(str(v) in wanted for v, _label in rows)
        # a required field with nothing chosen starts blank: the first row is never picked silently
        if not self.is_required or not chosen:
            rows.insert(0, ("", self.blank_label))
        return rows

    def optgroups(self, name, value, attrs=None):
        options = []
        has_selected = False
        for index, (v, label) in enumerate(self.offered(value)):
            selected = not has_selected and str(v) in value
            has_selected |= selected
            options.append(self.create_option(name, v, label, selected, index, attrs=attrs))
        return [(None, options, 0)]

    def lookup_url(self) -> str:
        params = dict(self.params)
        if not self.is_required:
            params["blank"] = "1"
        query = urlencode(sorted(params.items()))
        return reverse(self.url_name, kwargs=self.url_kwargs or None) + (f"?{query}" if query else "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        select_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["attrs"]["id"] = select_id
        context["widget"]["search"] = {
            "id": f"{select_id}-search",
            "url": self.lookup_url(),
            "min_chars": self.min_chars,
            "max_length": SEARCH_MAX_LENGTH,
            "label": _("Search"),
            "placeholder": _("Type a name to search"),
        }
        return context


def _fits_a_key(value: Any) -> bool:
    try:
        return abs(int(value)) < 2**63
    except (ValueError, TypeError):
        return True  # not a number: the query (or the form) refuses it


def _from_queryset(
    qs: QuerySet,
    wanted: list[str],
    label_of: Callable[[Any], str],
    count: int,
    *,
    key: str = "pk",
    value_of: Callable[[Any], Any] | None = None,
) -> list[tuple[Any, str]]:
    """The chosen rows, then the first ``count``, each once (two queries at most)."""
    value_of = value_of or (lambda obj: obj.pk)
    chosen: list[Any] = []
    # an id no database column can hold is nobody's (SQLite raises OverflowError, PostgreSQL a
    # DataError that would abort the transaction): not asked for at all
    wanted = [v for v in wanted if _fits_a_key(v)]
    if wanted:
        try:
            chosen = list(qs.filter(**{f"{key}__in": wanted}))
        except (ValueError, TypeError, OverflowError, ValidationError):
            chosen = []  # not an id at all: nothing to show, the form says what is wrong
    seen = {value_of(obj) for obj in chosen}
    first = [obj for obj in qs[:count] if value_of(obj) not in seen]
    return [(value_of(obj), label_of(obj)) for obj in chosen + first]


def _from_list(choices: Iterable[Any], wanted: list[str], count: int) -> list[tuple[Any, str]]:
    flat: list[tuple[Any, str]] = []
    for v, label in choices:
        if isinstance(label, list | tuple):  # an optgroup
            flat.extend((sub_v, sub_label) for sub_v, sub_label in label)
        else:
            flat.append((v, label))
    flat = [(v, label) for v, label in flat if v not in ("", None)]
    chosen = [(v, label) for v, label in flat if str(v) in wanted]
    return chosen + [(v, label) for v, label in flat[:count] if str(v) not in wanted]
