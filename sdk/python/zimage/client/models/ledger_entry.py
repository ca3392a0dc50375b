from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.grant_source import GrantSource
from ..models.ledger_kind import LedgerKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="LedgerEntry")


@_attrs_define
class LedgerEntry:
    """One movement of credits.

    Attributes:
        amount (int): Change to the balance (`delta_available + delta_held`).
        created_at (datetime.datetime):
        delta_available (int):
        delta_held (int):
        id (UUID):
        kind (LedgerKind): What a ledger entry records.
        reason (str): Why, in English as the server wrote it (for grants and corrections by an administrator,
            the administrator's own words). Clients translating the history can go by `kind` and
            `source` instead.
        reference (None | str | Unset): What the movement belongs to (task, order, grant).
        source (GrantSource | None | Unset):
    """

    amount: int
    created_at: datetime.datetime
    delta_available: int
    delta_held: int
    id: UUID
    kind: LedgerKind
    reason: str
    reference: None | str | Unset = UNSET
    source: GrantSource | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        created_at = self.created_at.isoformat()

        delta_available = self.delta_available

        delta_held = self.delta_held

        id = str(self.id)

        kind = self.kind.value

        reason = self.reason

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        elif isinstance(self.source, GrantSource):
            source = self.source.value
        else:
            source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "created_at": created_at,
                "delta_available": delta_available,
                "delta_held": delta_held,
                "id": id,
                "kind": kind,
                "reason": reason,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        delta_available = d.pop("delta_available")

        delta_held = d.pop("delta_held")

        id = UUID(d.pop("id"))

        kind = LedgerKind(d.pop("kind"))

        reason = d.pop("reason")

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        def _parse_source(data: object) -> GrantSource | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                source_type_0 = GrantSource(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GrantSource | None | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        ledger_entry = cls(
            amount=amount,
            created_at=created_at,
            delta_available=delta_available,
            delta_held=delta_held,
            id=id,
            kind=kind,
            reason=reason,
            reference=reference,
            source=source,
        )

        ledger_entry.additional_properties = d
        return ledger_entry

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
