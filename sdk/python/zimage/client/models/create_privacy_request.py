from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.privacy_request_kind import PrivacyRequestKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreatePrivacyRequest")


@_attrs_define
class CreatePrivacyRequest:
    """Body of `POST /v1/privacy/requests`.

    Attributes:
        kind (PrivacyRequestKind): What a data-rights request asks for.
        note (None | str | Unset): Anything you want us to know (at most 2,000 characters).
    """

    kind: PrivacyRequestKind
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = PrivacyRequestKind(d.pop("kind"))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        create_privacy_request = cls(
            kind=kind,
            note=note,
        )

        return create_privacy_request
