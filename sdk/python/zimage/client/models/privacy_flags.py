from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PrivacyFlags")


@_attrs_define
class PrivacyFlags:
    """Restriction and objection currently in force (`GET /v1/privacy/flags`).

    Attributes:
        objected_at (datetime.datetime | None | Unset):
        restricted_at (datetime.datetime | None | Unset):
    """

    objected_at: datetime.datetime | None | Unset = UNSET
    restricted_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        objected_at: None | str | Unset
        if isinstance(self.objected_at, Unset):
            objected_at = UNSET
        elif isinstance(self.objected_at, datetime.datetime):
            objected_at = self.objected_at.isoformat()
        else:
            objected_at = self.objected_at

        restricted_at: None | str | Unset
        if isinstance(self.restricted_at, Unset):
            restricted_at = UNSET
        elif isinstance(self.restricted_at, datetime.datetime):
            restricted_at = self.restricted_at.isoformat()
        else:
            restricted_at = self.restricted_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if objected_at is not UNSET:
            field_dict["objected_at"] = objected_at
        if restricted_at is not UNSET:
            field_dict["restricted_at"] = restricted_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_objected_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                objected_at_type_0 = datetime.datetime.fromisoformat(data)

                return objected_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        objected_at = _parse_objected_at(d.pop("objected_at", UNSET))

        def _parse_restricted_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                restricted_at_type_0 = datetime.datetime.fromisoformat(data)

                return restricted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        restricted_at = _parse_restricted_at(d.pop("restricted_at", UNSET))

        privacy_flags = cls(
            objected_at=objected_at,
            restricted_at=restricted_at,
        )

        privacy_flags.additional_properties = d
        return privacy_flags

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
