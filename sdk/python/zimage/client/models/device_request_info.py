from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.current_authorization import CurrentAuthorization
    from ..models.o_auth_app_summary import OAuthAppSummary


T = TypeVar("T", bound="DeviceRequestInfo")


@_attrs_define
class DeviceRequestInfo:
    """`GET /v1/oauth/device`: the device request a user code stands for.

    Attributes:
        app (OAuthAppSummary): What a user is shown about an app asking for access.
        expires_at (datetime.datetime):
        scopes (list[ApiKeyScope]):
        user_code (str):
        current (CurrentAuthorization | None | Unset):
    """

    app: OAuthAppSummary
    expires_at: datetime.datetime
    scopes: list[ApiKeyScope]
    user_code: str
    current: CurrentAuthorization | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.current_authorization import CurrentAuthorization

        app = self.app.to_dict()

        expires_at = self.expires_at.isoformat()

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        user_code = self.user_code

        current: dict[str, Any] | None | Unset
        if isinstance(self.current, Unset):
            current = UNSET
        elif isinstance(self.current, CurrentAuthorization):
            current = self.current.to_dict()
        else:
            current = self.current

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "app": app,
                "expires_at": expires_at,
                "scopes": scopes,
                "user_code": user_code,
            }
        )
        if current is not UNSET:
            field_dict["current"] = current

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.current_authorization import CurrentAuthorization
        from ..models.o_auth_app_summary import OAuthAppSummary

        d = dict(src_dict)
        app = OAuthAppSummary.from_dict(d.pop("app"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeyScope(scopes_item_data)

            scopes.append(scopes_item)

        user_code = d.pop("user_code")

        def _parse_current(data: object) -> CurrentAuthorization | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                current_type_0 = CurrentAuthorization.from_dict(data)

                return current_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CurrentAuthorization | None | Unset, data)

        current = _parse_current(d.pop("current", UNSET))

        device_request_info = cls(
            app=app,
            expires_at=expires_at,
            scopes=scopes,
            user_code=user_code,
            current=current,
        )

        device_request_info.additional_properties = d
        return device_request_info

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
