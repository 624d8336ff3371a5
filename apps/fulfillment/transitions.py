"""The one writer of the outbound objects' status fields (STYLE rule 5): waves, the orders on them,
pick lines, parcels and manifests. ``transition`` moves one object, ``transition_many`` a batch;
both lock the rows, refuse a move their table (``choices``) does not allow with an
``OutboundConflict`` saying which and why, set the status (with the fields that go with it, such
as ``closed_at``) and write a ``FulfillmentEvent`` per object. ``record_created`` writes the
first event of new objects, made in their initial state by the model's default."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.actors import SYSTEM_LABEL, actor_label, actor_person

from .choices import (
    MANIFEST_TRANSITIONS,
    PARCEL_TRANSITIONS,
    PICK_TRANSITIONS,
    WAVE_ORDER_TRANSITIONS,
    WAVE_TRANSITIONS,
    ManifestStatus,
    ParcelStatus,
    PickStatus,
    WaveOrderStatus,
    WaveStatus,
)
from .errors import OutboundConflict
from .models import FulfillmentEvent, Manifest, Parcel, PickLine, Wave, WaveOrder

SYSTEM = SYSTEM_LABEL


@dataclass(frozen=True)
class Machine:
    states: type[models.TextChoices]
    table: dict
    name: Callable[[models.Model], str]  # the object for people, from its own row


MACHINES: dict[type[models.Model], Machine] = {
    Wave: Machine(WaveStatus, WAVE_TRANSITIONS, lambda o: f"Pick list {o.number}"),
    WaveOrder: Machine(WaveOrderStatus, WAVE_ORDER_TRANSITIONS, lambda o: f"Pick-list slot {o.slot}"),
    PickLine: Machine(PickStatus, PICK_TRANSITIONS, lambda o: f"Pick line {o.pk}"),
    Parcel: Machine(ParcelStatus, PARCEL_TRANSITIONS, lambda o: f"Parcel {o.tracking_number}"),
    Manifest: Machine(ManifestStatus, MANIFEST_TRANSITIONS, lambda o: f"Manifest {o.number}"),
}


def actor_fields(actor) -> dict:
    """The event's ``actor`` and ``actor_label`` by the core's actor rules (apps.core.actors); a
    person's label is their e-mail, so the history still reads after the user is gone."""
    user = actor_person(actor)
    if user is not None:
        return {"actor": user, "actor_label": (getattr(user, "email", "") or user.get_username())[:150]}
    return {"actor": None, "actor_label": actor_label(actor)[:150]}


person = actor_person  # the user behind an actor, for ``*_by`` columns (None for a system actor)


def _atomic():
    """The caller's transaction when there is one (no savepoint: every refusal comes before the
    first write, so there is nothing to undo), else one of its own."""
    return nullcontext() if connection.in_atomic_block else transaction.atomic()


def _refusal(machine: Machine, obj, current: str, to: str) -> OutboundConflict:
    states = machine.states
    return OutboundConflict(
        f"{machine.name(obj)} is {states(current).label.lower()}; it cannot become {states(to).label.lower()}.",
        code=f"{obj.event_subject}_state_conflict",
        extra={"from": current, "to": to},
    )


def _event(model, pk: int, current: str, to: str, who: dict, message: str, at) -> FulfillmentEvent:
    return FulfillmentEvent(
        subject=model.event_subject,
        object_id=pk,
        from_status=current,
        to_status=to,
        message=(message or "")[:500],
        created_at=at,
        **who,
    )


def transition(obj: models.Model, *, to: str, actor, message: str = "", fields: dict | None = None):
    """Move ``obj`` to ``to``: lock its row, check the table against the status in the database
    (not the caller's copy), set the status and ``fields``, write the event. The caller's instance
    is updated in place and returned; its other unsaved changes are left to the caller."""
    model = type(obj)
    machine = MACHINES[model]
    to = machine.states(to)
    with _atomic():
        current = model.objects.select_for_update(of=("self",)).values_list("status", flat=True).get(pk=obj.pk)
        if to not in machine.table[machine.states(current)]:
            raise _refusal(machine, obj, current, to)
        changes = {"status": to, **(fields or {})}
        model.objects.filter(pk=obj.pk).update(**changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        _event(model, obj.pk, current, to, actor_fields(actor), message, timezone.now()).save()
    return obj


def transition_many(
    model: type[models.Model], pks: Iterable[int], *, to: str, actor, message: str = "", fields: dict | None = None
) -> list[int]:
    """Move every row of ``pks`` to ``to`` at once (locked in primary-key order, one UPDATE, one
    insert of events). All or nothing: one row whose move the table refuses refuses the batch."""
    machine = MACHINES[model]
    to = machine.states(to)
    wanted = sorted(set(pks))
    if not wanted:
        return []
    with _atomic():
        rows = list(
            model.objects.select_for_update(of=("self",)).filter(pk__in=wanted).only("pk", "status").order_by("pk")
        )
        if len(rows) != len(wanted):
            raise OutboundConflict(
                f"{len(wanted) - len(rows)} of the {model._meta.verbose_name_plural} to move are gone."
            )
        for row in rows:
            if to not in machine.table[machine.states(row.status)]:
                raise _refusal(machine, row, row.status, to)
        model.objects.filter(pk__in=wanted).update(status=to, **(fields or {}))
        who, at = actor_fields(actor), timezone.now()
        FulfillmentEvent.objects.bulk_create([_event(model, r.pk, r.status, to, who, message, at) for r in rows])
    return wanted


def record_created(objs: Sequence[models.Model], *, actor, message: str = "") -> None:
    """The first event of objects just made (in the initial state their model gives them)."""
    if not objs:
        return
    model = type(objs[0])
    who, at = actor_fields(actor), timezone.now()
    FulfillmentEvent.objects.bulk_create([_event(model, o.pk, "", o.status, who, message, at) for o in objs])
