from .errors import DomainError


def apply_error(form, exc: DomainError) -> None:
    """Show a domain refusal on a Django form: field errors on their fields, the rest on top.
    The form keeps what the user typed because it is re-rendered bound to the submitted data."""
    placed = False
    for issue in exc.errors:
        name = issue.field.split(".")[0]
        if name in form.fields:
            form.add_error(name, issue.message)
            placed = True
    if not placed or not exc.errors:
        form.add_error(None, exc.detail)
