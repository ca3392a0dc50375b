from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateShareRequest")


@_attrs_define
class CreateShareRequest:
    """`POST /v1/images/{id}/share`.

    Attributes:
        include_prompt (bool | Unset): Show the prompt on the public page (off unless you opt in).
    """

    include_prompt: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        include_prompt = self.include_prompt

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if include_prompt is not UNSET:
            field_dict["include_prompt"] = include_prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        include_prompt = d.pop("include_prompt", UNSET)

        create_share_request = cls(
            include_prompt=include_prompt,
        )

        return create_share_request
