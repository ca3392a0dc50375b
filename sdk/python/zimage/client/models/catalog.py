from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.product import Product


T = TypeVar("T", bound="Catalog")


@_attrs_define
class Catalog:
    """`GET /v1/billing/catalog`.

    Attributes:
        packs (list[Product]):
        payments_enabled (bool): False when this installation takes no payments (credits come from administrators).
        plans (list[Product]):
    """

    packs: list[Product]
    payments_enabled: bool
    plans: list[Product]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        packs = []
        for packs_item_data in self.packs:
            packs_item = packs_item_data.to_dict()
            packs.append(packs_item)

        payments_enabled = self.payments_enabled

        plans = []
        for plans_item_data in self.plans:
            plans_item = plans_item_data.to_dict()
            plans.append(plans_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "packs": packs,
                "payments_enabled": payments_enabled,
                "plans": plans,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.product import Product

        d = dict(src_dict)
        packs = []
        _packs = d.pop("packs")
        for packs_item_data in _packs:
            packs_item = Product.from_dict(packs_item_data)

            packs.append(packs_item)

        payments_enabled = d.pop("payments_enabled")

        plans = []
        _plans = d.pop("plans")
        for plans_item_data in _plans:
            plans_item = Product.from_dict(plans_item_data)

            plans.append(plans_item)

        catalog = cls(
            packs=packs,
            payments_enabled=payments_enabled,
            plans=plans,
        )

        catalog.additional_properties = d
        return catalog

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
