from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.credit_balance import CreditBalance
    from ..models.session_info import SessionInfo
    from ..models.user import User


T = TypeVar("T", bound="AdminUserDetail")


@_attrs_define
class AdminUserDetail:
    """One account as administrators see it (`GET /v1/admin/users/{id}`).

    Attributes:
        balance (CreditBalance): `GET /v1/credits`.
        images (int):
        sessions (list[SessionInfo]):
        tasks (int):
        user (User): The signed-in user as returned by `GET /v1/me`.
        disabled_at (datetime.datetime | None | Unset): Switched off, and why (`admin` or `erasure`).
        disabled_reason (None | str | Unset):
        objected_at (datetime.datetime | None | Unset): The owner objected to processing.
        restricted_at (datetime.datetime | None | Unset): The owner restricted processing (their data stays out of
            analytics and marketing).
    """

    balance: CreditBalance
    images: int
    sessions: list[SessionInfo]
    tasks: int
    user: User
    disabled_at: datetime.datetime | None | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    objected_at: datetime.datetime | None | Unset = UNSET
    restricted_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balance = self.balance.to_dict()

        images = self.images

        sessions = []
        for sessions_item_data in self.sessions:
            sessions_item = sessions_item_data.to_dict()
            sessions.append(sessions_item)

        tasks = self.tasks

        user = self.user.to_dict()

        disabled_at: None | str | Unset
        if isinstance(self.disabled_at, Unset):
            disabled_at = UNSET
        elif isinstance(self.disabled_at, datetime.datetime):
            disabled_at = self.disabled_at.isoformat()
        else:
            disabled_at = self.disabled_at

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

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
        field_dict.update(
            {
                "balance": balance,
                "images": images,
                "sessions": sessions,
                "tasks": tasks,
                "user": user,
            }
        )
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if objected_at is not UNSET:
            field_dict["objected_at"] = objected_at
        if restricted_at is not UNSET:
            field_dict["restricted_at"] = restricted_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_balance import CreditBalance
        from ..models.session_info import SessionInfo
        from ..models.user import User

        d = dict(src_dict)
        balance = CreditBalance.from_dict(d.pop("balance"))

        images = d.pop("images")

        sessions = []
        _sessions = d.pop("sessions")
        for sessions_item_data in _sessions:
            sessions_item = SessionInfo.from_dict(sessions_item_data)

            sessions.append(sessions_item)

        tasks = d.pop("tasks")

        user = User.from_dict(d.pop("user"))

        def _parse_disabled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return disabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at", UNSET))

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

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

        admin_user_detail = cls(
            balance=balance,
            images=images,
            sessions=sessions,
            tasks=tasks,
            user=user,
            disabled_at=disabled_at,
            disabled_reason=disabled_reason,
            objected_at=objected_at,
            restricted_at=restricted_at,
        )

        admin_user_detail.additional_properties = d
        return admin_user_detail

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
