from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ApiKeyUsage")


@_attrs_define
class ApiKeyUsage:
    """What an API key has done.

    Attributes:
        credits_this_month (int): The same for this calendar month (UTC).
        credits_today (int): Credits of the generations it started today (UTC), held ones included, refunds not.
        credits_total (int): The same since it was made.
        requests (int): Requests it authenticated (counted by each server and recorded with `last_used_at`, so
            the last minute's may not show yet).
    """

    credits_this_month: int
    credits_today: int
    credits_total: int
    requests: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_this_month = self.credits_this_month

        credits_today = self.credits_today

        credits_total = self.credits_total

        requests = self.requests

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits_this_month": credits_this_month,
                "credits_today": credits_today,
                "credits_total": credits_total,
                "requests": requests,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        credits_this_month = d.pop("credits_this_month")

        credits_today = d.pop("credits_today")

        credits_total = d.pop("credits_total")

        requests = d.pop("requests")

        api_key_usage = cls(
            credits_this_month=credits_this_month,
            credits_today=credits_today,
            credits_total=credits_total,
            requests=requests,
        )

        api_key_usage.additional_properties = d
        return api_key_usage

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
