from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backend_mode import BackendMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="BackendHealth")


@_attrs_define
class BackendHealth:
    """A generation backend (a configured provider: a ComfyUI pool, sd-server, fal, …) as the admin
    console shows it.

        Attributes:
            error_rate (float): `failed_last_hour / finished_last_hour`, 0–1.
            failed_last_hour (int): …and those that failed on its side (unavailable, timed out, failed to generate, unusable
                output; not prompts it refused or tasks people cancelled).
            finished_last_hour (int): Tasks it ended in the last hour…
            in_flight (int): Tasks it has accepted (or is being sent) and not ended, across all processes.
            mode (BackendMode): What the operator lets a generation backend do.
            models (list[str]): The models it serves.
            provider (str):
            queued (int): Tasks queued for it alone (tasks of models with several backends wait for whichever
                takes them, and are not counted here).
            resting (bool): Its circuit breaker is open in the process that answered: it failed repeatedly and gets
                no tasks until it recovers.
            latency_p50_secs (float | None | Unset): Seconds from start to end of its successful tasks in the last hour: the
                median…
            latency_p95_secs (float | None | Unset): …and the 95th percentile.
            max_in_flight (int | None | Unset): Its cap on tasks in flight, when it has one.
    """

    error_rate: float
    failed_last_hour: int
    finished_last_hour: int
    in_flight: int
    mode: BackendMode
    models: list[str]
    provider: str
    queued: int
    resting: bool
    latency_p50_secs: float | None | Unset = UNSET
    latency_p95_secs: float | None | Unset = UNSET
    max_in_flight: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_rate = self.error_rate

        failed_last_hour = self.failed_last_hour

        finished_last_hour = self.finished_last_hour

        in_flight = self.in_flight

        mode = self.mode.value

        models = self.models

        provider = self.provider

        queued = self.queued

        resting = self.resting

        latency_p50_secs: float | None | Unset
        if isinstance(self.latency_p50_secs, Unset):
            latency_p50_secs = UNSET
        else:
            latency_p50_secs = self.latency_p50_secs

        latency_p95_secs: float | None | Unset
        if isinstance(self.latency_p95_secs, Unset):
            latency_p95_secs = UNSET
        else:
            latency_p95_secs = self.latency_p95_secs

        max_in_flight: int | None | Unset
        if isinstance(self.max_in_flight, Unset):
            max_in_flight = UNSET
        else:
            max_in_flight = self.max_in_flight

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error_rate": error_rate,
                "failed_last_hour": failed_last_hour,
                "finished_last_hour": finished_last_hour,
                "in_flight": in_flight,
                "mode": mode,
                "models": models,
                "provider": provider,
                "queued": queued,
                "resting": resting,
            }
        )
        if latency_p50_secs is not UNSET:
            field_dict["latency_p50_secs"] = latency_p50_secs
        if latency_p95_secs is not UNSET:
            field_dict["latency_p95_secs"] = latency_p95_secs
        if max_in_flight is not UNSET:
            field_dict["max_in_flight"] = max_in_flight

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        error_rate = d.pop("error_rate")

        failed_last_hour = d.pop("failed_last_hour")

        finished_last_hour = d.pop("finished_last_hour")

        in_flight = d.pop("in_flight")

        mode = BackendMode(d.pop("mode"))

        models = cast(list[str], d.pop("models"))

        provider = d.pop("provider")

        queued = d.pop("queued")

        resting = d.pop("resting")

        def _parse_latency_p50_secs(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        latency_p50_secs = _parse_latency_p50_secs(d.pop("latency_p50_secs", UNSET))

        def _parse_latency_p95_secs(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        latency_p95_secs = _parse_latency_p95_secs(d.pop("latency_p95_secs", UNSET))

        def _parse_max_in_flight(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_in_flight = _parse_max_in_flight(d.pop("max_in_flight", UNSET))

        backend_health = cls(
            error_rate=error_rate,
            failed_last_hour=failed_last_hour,
            finished_last_hour=finished_last_hour,
            in_flight=in_flight,
            mode=mode,
            models=models,
            provider=provider,
            queued=queued,
            resting=resting,
            latency_p50_secs=latency_p50_secs,
            latency_p95_secs=latency_p95_secs,
            max_in_flight=max_in_flight,
        )

        backend_health.additional_properties = d
        return backend_health

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
