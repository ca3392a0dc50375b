from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetentionRule")


@_attrs_define
class RetentionRule:
    """One rule of the published retention schedule.

    Attributes:
        counted_from (str): From when the period counts.
        data (str): What data the rule covers.
        id (str): Stable name, e.g. `security_logs`.
        then (str): What happens at the end.
        days (int | None | Unset): How long it is kept, in days (`null`: as long as the account exists).
    """

    counted_from: str
    data: str
    id: str
    then: str
    days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        counted_from = self.counted_from

        data = self.data

        id = self.id

        then = self.then

        days: int | None | Unset
        if isinstance(self.days, Unset):
            days = UNSET
        else:
            days = self.days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "counted_from": counted_from,
                "data": data,
                "id": id,
                "then": then,
            }
        )
        if days is not UNSET:
            field_dict["days"] = days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        counted_from = d.pop("counted_from")

        data = d.pop("data")

        id = d.pop("id")

        then = d.pop("then")

        def _parse_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        days = _parse_days(d.pop("days", UNSET))

        retention_rule = cls(
            counted_from=counted_from,
            data=data,
            id=id,
            then=then,
            days=days,
        )

        retention_rule.additional_properties = d
        return retention_rule

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
