from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_kind import ProductKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="Product")


@_attrs_define
class Product:
    """Something that can be bought.

    Attributes:
        credits_ (int): Credits per purchase (packs) or per billing period (plans).
        currency (str): ISO 4217, lower case (`usd`).
        id (str):
        kind (ProductKind): A one-off pack or a recurring plan.
        name (str):
        price_cents (int): Price in the currency's smallest unit (cents).
        description (str | Unset):
        interval (None | str | Unset): Billing period of a plan (`month` or `year`); absent for packs.
    """

    credits_: int
    currency: str
    id: str
    kind: ProductKind
    name: str
    price_cents: int
    description: str | Unset = UNSET
    interval: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        currency = self.currency

        id = self.id

        kind = self.kind.value

        name = self.name

        price_cents = self.price_cents

        description = self.description

        interval: None | str | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        else:
            interval = self.interval

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits": credits_,
                "currency": currency,
                "id": id,
                "kind": kind,
                "name": name,
                "price_cents": price_cents,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if interval is not UNSET:
            field_dict["interval"] = interval

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        credits_ = d.pop("credits")

        currency = d.pop("currency")

        id = d.pop("id")

        kind = ProductKind(d.pop("kind"))

        name = d.pop("name")

        price_cents = d.pop("price_cents")

        description = d.pop("description", UNSET)

        def _parse_interval(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        product = cls(
            credits_=credits_,
            currency=currency,
            id=id,
            kind=kind,
            name=name,
            price_cents=price_cents,
            description=description,
            interval=interval,
        )

        product.additional_properties = d
        return product

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
