from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """One administrator action (`GET /v1/admin/audit-log`). Entries are never changed or removed,
    except that an erased person's id is replaced by their pseudonym.

        Attributes:
            action (str): e.g. `credits.adjusted`, `user.disabled`, `task.refunded`, `moderation_rule.created`.
            actor_id (str): The administrator's user id (or pseudonym once erased).
            created_at (datetime.datetime):
            detail (Any):
            id (int):
            target_type (str): `user`, `task`, `moderation_rule`, `support_ticket`, `privacy_request`, …
            actor_email (None | str | Unset): The administrator's e-mail address, while the account exists.
            ip (None | str | Unset):
            target_id (None | str | Unset):
    """

    action: str
    actor_id: str
    created_at: datetime.datetime
    detail: Any
    id: int
    target_type: str
    actor_email: None | str | Unset = UNSET
    ip: None | str | Unset = UNSET
    target_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor_id = self.actor_id

        created_at = self.created_at.isoformat()

        detail = self.detail

        id = self.id

        target_type = self.target_type

        actor_email: None | str | Unset
        if isinstance(self.actor_email, Unset):
            actor_email = UNSET
        else:
            actor_email = self.actor_email

        ip: None | str | Unset
        if isinstance(self.ip, Unset):
            ip = UNSET
        else:
            ip = self.ip

        target_id: None | str | Unset
        if isinstance(self.target_id, Unset):
            target_id = UNSET
        else:
            target_id = self.target_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor_id": actor_id,
                "created_at": created_at,
                "detail": detail,
                "id": id,
                "target_type": target_type,
            }
        )
        if actor_email is not UNSET:
            field_dict["actor_email"] = actor_email
        if ip is not UNSET:
            field_dict["ip"] = ip
        if target_id is not UNSET:
            field_dict["target_id"] = target_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = d.pop("action")

        actor_id = d.pop("actor_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        detail = d.pop("detail")

        id = d.pop("id")

        target_type = d.pop("target_type")

        def _parse_actor_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_email = _parse_actor_email(d.pop("actor_email", UNSET))

        def _parse_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ip = _parse_ip(d.pop("ip", UNSET))

        def _parse_target_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target_id = _parse_target_id(d.pop("target_id", UNSET))

        audit_entry = cls(
            action=action,
            actor_id=actor_id,
            created_at=created_at,
            detail=detail,
            id=id,
            target_type=target_type,
            actor_email=actor_email,
            ip=ip,
            target_id=target_id,
        )

        audit_entry.additional_properties = d
        return audit_entry

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
