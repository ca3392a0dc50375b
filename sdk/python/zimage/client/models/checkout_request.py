from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CheckoutRequest")


@_attrs_define
class CheckoutRequest:
    """`POST /v1/billing/checkout`.

    Attributes:
        product_id (str):
    """

    product_id: str

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_id": product_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        product_id = d.pop("product_id")

        checkout_request = cls(
            product_id=product_id,
        )

        return checkout_request
