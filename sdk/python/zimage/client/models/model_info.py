from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio
from ..models.capability import Capability

if TYPE_CHECKING:
    from ..models.credit_cost import CreditCost
    from ..models.model_supports import ModelSupports


T = TypeVar("T", bound="ModelInfo")


@_attrs_define
class ModelInfo:
    """A model people can generate with (`GET /v1/models`).

    Attributes:
        aspect_ratios (list[AspectRatio]):
        capabilities (list[Capability]):
        cost (CreditCost): Credits per image by quality.
        default_long_side (int): Long side used when only an aspect ratio is given.
        id (str):
        max_images (int):
        max_side (int):
        min_side (int): Smallest and largest side, in pixels, for explicit width/height.
        name (str):
        provider (str): Which provider runs it (`local`, `fal`, `kie`, `openai_compatible`, `comfyui`, `sdcpp`).
        supports (ModelSupports): Optional request settings a model honours (`output_format` always is: images delivered
            in
            another format are converted).
    """

    aspect_ratios: list[AspectRatio]
    capabilities: list[Capability]
    cost: CreditCost
    default_long_side: int
    id: str
    max_images: int
    max_side: int
    min_side: int
    name: str
    provider: str
    supports: ModelSupports
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        aspect_ratios = []
        for aspect_ratios_item_data in self.aspect_ratios:
            aspect_ratios_item = aspect_ratios_item_data.value
            aspect_ratios.append(aspect_ratios_item)

        capabilities = []
        for capabilities_item_data in self.capabilities:
            capabilities_item = capabilities_item_data.value
            capabilities.append(capabilities_item)

        cost = self.cost.to_dict()

        default_long_side = self.default_long_side

        id = self.id

        max_images = self.max_images

        max_side = self.max_side

        min_side = self.min_side

        name = self.name

        provider = self.provider

        supports = self.supports.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aspect_ratios": aspect_ratios,
                "capabilities": capabilities,
                "cost": cost,
                "default_long_side": default_long_side,
                "id": id,
                "max_images": max_images,
                "max_side": max_side,
                "min_side": min_side,
                "name": name,
                "provider": provider,
                "supports": supports,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_cost import CreditCost
        from ..models.model_supports import ModelSupports

        d = dict(src_dict)
        aspect_ratios = []
        _aspect_ratios = d.pop("aspect_ratios")
        for aspect_ratios_item_data in _aspect_ratios:
            aspect_ratios_item = AspectRatio(aspect_ratios_item_data)

            aspect_ratios.append(aspect_ratios_item)

        capabilities = []
        _capabilities = d.pop("capabilities")
        for capabilities_item_data in _capabilities:
            capabilities_item = Capability(capabilities_item_data)

            capabilities.append(capabilities_item)

        cost = CreditCost.from_dict(d.pop("cost"))

        default_long_side = d.pop("default_long_side")

        id = d.pop("id")

        max_images = d.pop("max_images")

        max_side = d.pop("max_side")

        min_side = d.pop("min_side")

        name = d.pop("name")

        provider = d.pop("provider")

        supports = ModelSupports.from_dict(d.pop("supports"))

        model_info = cls(
            aspect_ratios=aspect_ratios,
            capabilities=capabilities,
            cost=cost,
            default_long_side=default_long_side,
            id=id,
            max_images=max_images,
            max_side=max_side,
            min_side=min_side,
            name=name,
            provider=provider,
            supports=supports,
        )

        model_info.additional_properties = d
        return model_info

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
