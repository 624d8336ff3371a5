from apps.core.errors import ApplicationError


def form_add_application_error(form, error: ApplicationError) -> None:
    """Show a service's error on the form: field messages where the service named a field the
    form has, the sentence for people otherwise."""
    placed = False
    for field, messages in (error.extra or {}).items():
        if field in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)
