"""One domain error type: services raise it, views turn it into form errors, the API into HTTP 400."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. Carries every failing field with a Chinese message naming the rule.

    ``errors`` maps a field name (``"id_number"``, or ``"__all__"`` for the whole record) to a list
    of messages. A service collects all problems first and raises once, so the user sees every
    mistake in one go and nothing is stored.
    """

    def __init__(
        self, errors: dict[str, list[str]] | None = None, *, field: str = "__all__", message: str = ""
    ):
        if errors is None:
            errors = {field: [message]}
        self.errors = {k: list(v) for k, v in errors.items() if v}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    def as_list(self) -> list[dict[str, str]]:
        return [{"field": f, "message": m} for f, msgs in self.errors.items() for m in msgs]


class ErrorCollector:
    """Gathers field errors during validation; ``raise_if_any`` raises one DomainError."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainError(self.errors)


class NotFound(Exception):
    """Missing or out of the actor's scope: the two are indistinguishable on purpose."""
