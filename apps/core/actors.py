"""Who did something, when it was not a person: an integration connection ("Shopify · demo-store"),
a scheduled task ("System"). Services take ``actor`` as a user or one of these; timelines record
the user when there is one and the label otherwise.

A system actor acting for a customer carries that customer explicitly (services derive the
customer from the actor, never from request input); one acting for nobody in particular (a
sweep over every customer) has none and must be given the object it works on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM_LABEL = "System"


@dataclass(frozen=True)
class SystemActor:
    """A non-human actor. ``pk`` is None so code that records "the user who did it" records no
    user, and ``is_staff`` is False so it never passes a staff check."""

    label: str = SYSTEM_LABEL
    customer: Any = None

    pk = None
    is_staff = False
    is_authenticated = False

    @property
    def customer_id(self):
        return getattr(self.customer, "pk", None)

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor()


def integration_actor(*, platform: str, name: str, customer) -> SystemActor:
    """The actor of an integration connection, e.g. ``Shopify · demo-store``, acting for its customer."""
    return SystemActor(label=f"{platform} · {name}"[:100], customer=customer)


def actor_person(actor):
    """The user behind ``actor``, or None for a system actor (or no actor at all)."""
    return actor if getattr(actor, "pk", None) is not None and not isinstance(actor, SystemActor) else None


def actor_label(actor) -> str:
    """What a timeline stores beside the user: the system actor's label, "" for a person (their
    name is read from the user) and "System" for no actor."""
    if isinstance(actor, SystemActor):
        return actor.label
    return "" if actor_person(actor) is not None else SYSTEM_LABEL
