from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..models.product_kind import ProductKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """A purchase.

    Attributes:
        amount_cents (int):
        created_at (datetime.datetime):
        credits_ (int):
        currency (str):
        kind (ProductKind): A one-off pack or a recurring plan.
        number (str):
        product_id (str):
        status (OrderStatus):
        paid_at (datetime.datetime | None | Unset):
        receipt_url (None | str | Unset): Stripe's receipt or invoice page, once paid.
    """

    amount_cents: int
    created_at: datetime.datetime
    credits_: int
    currency: str
    kind: ProductKind
    number: str
    product_id: str
    status: OrderStatus
    paid_at: datetime.datetime | None | Unset = UNSET
    receipt_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount_cents = self.amount_cents

        created_at = self.created_at.isoformat()

        credits_ = self.credits_

        currency = self.currency

        kind = self.kind.value

        number = self.number

        product_id = self.product_id

        status = self.status.value

        paid_at: None | str | Unset
        if isinstance(self.paid_at, Unset):
            paid_at = UNSET
        elif isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        receipt_url: None | str | Unset
        if isinstance(self.receipt_url, Unset):
            receipt_url = UNSET
        else:
            receipt_url = self.receipt_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount_cents": amount_cents,
                "created_at": created_at,
                "credits": credits_,
                "currency": currency,
                "kind": kind,
                "number": number,
                "product_id": product_id,
                "status": status,
            }
        )
        if paid_at is not UNSET:
            field_dict["paid_at"] = paid_at
        if receipt_url is not UNSET:
            field_dict["receipt_url"] = receipt_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount_cents = d.pop("amount_cents")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        credits_ = d.pop("credits")

        currency = d.pop("currency")

        kind = ProductKind(d.pop("kind"))

        number = d.pop("number")

        product_id = d.pop("product_id")

        status = OrderStatus(d.pop("status"))

        def _parse_paid_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        paid_at = _parse_paid_at(d.pop("paid_at", UNSET))

        def _parse_receipt_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        receipt_url = _parse_receipt_url(d.pop("receipt_url", UNSET))

        order = cls(
            amount_cents=amount_cents,
            created_at=created_at,
            credits_=credits_,
            currency=currency,
            kind=kind,
            number=number,
            product_id=product_id,
            status=status,
            paid_at=paid_at,
            receipt_url=receipt_url,
        )

        order.additional_properties = d
        return order

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
