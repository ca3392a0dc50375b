from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateCollectionShareRequest")


@_attrs_define
class CreateCollectionShareRequest:
    """`POST /v1/collections/{id}/share`.

    Attributes:
        include_prompts (bool | Unset): Show each image's prompt on the public page (off unless you opt in).
    """

    include_prompts: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        include_prompts = self.include_prompts

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if include_prompts is not UNSET:
            field_dict["include_prompts"] = include_prompts

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        include_prompts = d.pop("include_prompts", UNSET)

        create_collection_share_request = cls(
            include_prompts=include_prompts,
        )

        return create_collection_share_request
