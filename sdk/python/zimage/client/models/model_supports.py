from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelSupports")


@_attrs_define
class ModelSupports:
    """Optional request settings a model honours (`output_format` always is: images delivered in
    another format are converted).

        Attributes:
            negative_prompt (bool): `negative_prompt` is sent to the model.
            seed (bool): `seed` is sent to the model, so the same seed and settings give the same image. Tasks of
                models without it record no seed and cannot be reproduced.
    """

    negative_prompt: bool
    seed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        negative_prompt = self.negative_prompt

        seed = self.seed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "negative_prompt": negative_prompt,
                "seed": seed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        negative_prompt = d.pop("negative_prompt")

        seed = d.pop("seed")

        model_supports = cls(
            negative_prompt=negative_prompt,
            seed=seed,
        )

        model_supports.additional_properties = d
        return model_supports

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
