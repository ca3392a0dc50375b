from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PasskeyUpdateRequest")


@_attrs_define
class PasskeyUpdateRequest:
    """`PATCH /v1/me/passkeys/{id}`.

    Example:
        {'name': 'Work laptop'}

    Attributes:
        name (str): 1–64 characters on one line, not blank; no control characters; trimmed
    """

    name: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        passkey_update_request = cls(
            name=name,
        )

        return passkey_update_request
