from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UnmatchedRefund")


@_attrs_define
class UnmatchedRefund:
    """A refund that matches no payment recorded here.

    Attributes:
        amount_refunded (int): In the currency's smallest unit.
        payment_intent (str):
        received_at (datetime.datetime):
        currency (None | str | Unset):
    """

    amount_refunded: int
    payment_intent: str
    received_at: datetime.datetime
    currency: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount_refunded = self.amount_refunded

        payment_intent = self.payment_intent

        received_at = self.received_at.isoformat()

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount_refunded": amount_refunded,
                "payment_intent": payment_intent,
                "received_at": received_at,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount_refunded = d.pop("amount_refunded")

        payment_intent = d.pop("payment_intent")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        unmatched_refund = cls(
            amount_refunded=amount_refunded,
            payment_intent=payment_intent,
            received_at=received_at,
            currency=currency,
        )

        unmatched_refund.additional_properties = d
        return unmatched_refund

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
