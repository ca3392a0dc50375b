from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeviceDecision")


@_attrs_define
class DeviceDecision:
    """`POST /v1/oauth/device`: the user's answer to a device's request.

    Attributes:
        approve (bool):
        user_code (str): As the device shows it; case and dashes do not matter.
        monthly_credit_limit (int | None | Unset):
    """

    approve: bool
    user_code: str
    monthly_credit_limit: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        approve = self.approve

        user_code = self.user_code

        monthly_credit_limit: int | None | Unset
        if isinstance(self.monthly_credit_limit, Unset):
            monthly_credit_limit = UNSET
        else:
            monthly_credit_limit = self.monthly_credit_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "approve": approve,
                "user_code": user_code,
            }
        )
        if monthly_credit_limit is not UNSET:
            field_dict["monthly_credit_limit"] = monthly_credit_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        approve = d.pop("approve")

        user_code = d.pop("user_code")

        def _parse_monthly_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_credit_limit = _parse_monthly_credit_limit(
            d.pop("monthly_credit_limit", UNSET)
        )

        device_decision = cls(
            approve=approve,
            user_code=user_code,
            monthly_credit_limit=monthly_credit_limit,
        )

        return device_decision
