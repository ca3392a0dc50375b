from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credit_grant import CreditGrant


T = TypeVar("T", bound="CreditBalance")


@_attrs_define
class CreditBalance:
    """`GET /v1/credits`.

    Attributes:
        available (int): Credits that can be spent now.
        balance (int): `available + held`.
        grants (list[CreditGrant]): Grants with credits left, soonest-expiring first (the order they are spent in).
        held (int): Credits reserved for running tasks.
    """

    available: int
    balance: int
    grants: list[CreditGrant]
    held: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available = self.available

        balance = self.balance

        grants = []
        for grants_item_data in self.grants:
            grants_item = grants_item_data.to_dict()
            grants.append(grants_item)

        held = self.held

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available": available,
                "balance": balance,
                "grants": grants,
                "held": held,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_grant import CreditGrant

        d = dict(src_dict)
        available = d.pop("available")

        balance = d.pop("balance")

        grants = []
        _grants = d.pop("grants")
        for grants_item_data in _grants:
            grants_item = CreditGrant.from_dict(grants_item_data)

            grants.append(grants_item)

        held = d.pop("held")

        credit_balance = cls(
            available=available,
            balance=balance,
            grants=grants,
            held=held,
        )

        credit_balance.additional_properties = d
        return credit_balance

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
