from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TwoFactorStatus")


@_attrs_define
class TwoFactorStatus:
    """`GET /v1/me/two-factor`: whether sign-in asks for a second factor.

    Attributes:
        enabled (bool): An authenticator app is confirmed: sign-in asks for its code.
        recovery_codes_left (int): Recovery codes not used yet (each works once, instead of a code from the app).
        enabled_at (datetime.datetime | None | Unset): When it was turned on.
    """

    enabled: bool
    recovery_codes_left: int
    enabled_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        recovery_codes_left = self.recovery_codes_left

        enabled_at: None | str | Unset
        if isinstance(self.enabled_at, Unset):
            enabled_at = UNSET
        elif isinstance(self.enabled_at, datetime.datetime):
            enabled_at = self.enabled_at.isoformat()
        else:
            enabled_at = self.enabled_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "recovery_codes_left": recovery_codes_left,
            }
        )
        if enabled_at is not UNSET:
            field_dict["enabled_at"] = enabled_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        recovery_codes_left = d.pop("recovery_codes_left")

        def _parse_enabled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                enabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return enabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        enabled_at = _parse_enabled_at(d.pop("enabled_at", UNSET))

        two_factor_status = cls(
            enabled=enabled,
            recovery_codes_left=recovery_codes_left,
            enabled_at=enabled_at,
        )

        two_factor_status.additional_properties = d
        return two_factor_status

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
