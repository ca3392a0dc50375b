from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProviderStats")


@_attrs_define
class ProviderStats:
    """Failures per provider in the dashboard's period.

    Attributes:
        failed (int):
        failure_rate (float): `failed / finished`, 0–1.
        provider (str):
        tasks (int):
    """

    failed: int
    failure_rate: float
    provider: str
    tasks: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed

        failure_rate = self.failure_rate

        provider = self.provider

        tasks = self.tasks

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failed": failed,
                "failure_rate": failure_rate,
                "provider": provider,
                "tasks": tasks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        failed = d.pop("failed")

        failure_rate = d.pop("failure_rate")

        provider = d.pop("provider")

        tasks = d.pop("tasks")

        provider_stats = cls(
            failed=failed,
            failure_rate=failure_rate,
            provider=provider,
            tasks=tasks,
        )

        provider_stats.additional_properties = d
        return provider_stats

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
