from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CheckoutResponse")


@_attrs_define
class CheckoutResponse:
    """Where to send the buyer.

    Attributes:
        checkout_url (str): The Stripe Checkout page.
        order_number (str): Our order number, shown on receipts.
        session_id (str):
    """

    checkout_url: str
    order_number: str
    session_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checkout_url = self.checkout_url

        order_number = self.order_number

        session_id = self.session_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkout_url": checkout_url,
                "order_number": order_number,
                "session_id": session_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checkout_url = d.pop("checkout_url")

        order_number = d.pop("order_number")

        session_id = d.pop("session_id")

        checkout_response = cls(
            checkout_url=checkout_url,
            order_number=order_number,
            session_id=session_id,
        )

        checkout_response.additional_properties = d
        return checkout_response

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
