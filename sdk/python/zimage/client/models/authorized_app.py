from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.o_auth_app_summary import OAuthAppSummary


T = TypeVar("T", bound="AuthorizedApp")


@_attrs_define
class AuthorizedApp:
    """An app the user has authorized.

    Attributes:
        app (OAuthAppSummary): What a user is shown about an app asking for access.
        created_at (datetime.datetime):
        id (UUID): Identifies a user's authorization of an OAuth app.
        scopes (list[ApiKeyScope]):
        spent_this_month (int): Credits its generations took this UTC month (held ones included, refunds not).
        updated_at (datetime.datetime): When it was last authorized again (scopes or cap changed).
        last_used_at (datetime.datetime | None | Unset): When one of its tokens last authenticated a request, to the
            minute.
        monthly_credit_limit (int | None | Unset):
    """

    app: OAuthAppSummary
    created_at: datetime.datetime
    id: UUID
    scopes: list[ApiKeyScope]
    spent_this_month: int
    updated_at: datetime.datetime
    last_used_at: datetime.datetime | None | Unset = UNSET
    monthly_credit_limit: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        app = self.app.to_dict()

        created_at = self.created_at.isoformat()

        id = str(self.id)

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        spent_this_month = self.spent_this_month

        updated_at = self.updated_at.isoformat()

        last_used_at: None | str | Unset
        if isinstance(self.last_used_at, Unset):
            last_used_at = UNSET
        elif isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        monthly_credit_limit: int | None | Unset
        if isinstance(self.monthly_credit_limit, Unset):
            monthly_credit_limit = UNSET
        else:
            monthly_credit_limit = self.monthly_credit_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "app": app,
                "created_at": created_at,
                "id": id,
                "scopes": scopes,
                "spent_this_month": spent_this_month,
                "updated_at": updated_at,
            }
        )
        if last_used_at is not UNSET:
            field_dict["last_used_at"] = last_used_at
        if monthly_credit_limit is not UNSET:
            field_dict["monthly_credit_limit"] = monthly_credit_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.o_auth_app_summary import OAuthAppSummary

        d = dict(src_dict)
        app = OAuthAppSummary.from_dict(d.pop("app"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeyScope(scopes_item_data)

            scopes.append(scopes_item)

        spent_this_month = d.pop("spent_this_month")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_last_used_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at", UNSET))

        def _parse_monthly_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_credit_limit = _parse_monthly_credit_limit(
            d.pop("monthly_credit_limit", UNSET)
        )

        authorized_app = cls(
            app=app,
            created_at=created_at,
            id=id,
            scopes=scopes,
            spent_this_month=spent_this_month,
            updated_at=updated_at,
            last_used_at=last_used_at,
            monthly_credit_limit=monthly_credit_limit,
        )

        authorized_app.additional_properties = d
        return authorized_app

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
