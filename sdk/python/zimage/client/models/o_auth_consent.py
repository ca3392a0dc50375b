from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.current_authorization import CurrentAuthorization
    from ..models.o_auth_app_summary import OAuthAppSummary


T = TypeVar("T", bound="OAuthConsent")


@_attrs_define
class OAuthConsent:
    """`GET /v1/oauth/authorize`: what the consent page shows.

    Attributes:
        app (OAuthAppSummary): What a user is shown about an app asking for access.
        redirect_uri (str):
        scopes (list[ApiKeyScope]): What the app asks to do.
        current (CurrentAuthorization | None | Unset):
        redirect_to (None | str | Unset): When present, the request cannot be granted as sent (an unknown scope, no
            PKCE…): the
            app's redirect URI with `error` and `error_description`, which the consent page offers
            as a link back to the app instead of asking (it never forwards without a click).
    """

    app: OAuthAppSummary
    redirect_uri: str
    scopes: list[ApiKeyScope]
    current: CurrentAuthorization | None | Unset = UNSET
    redirect_to: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.current_authorization import CurrentAuthorization

        app = self.app.to_dict()

        redirect_uri = self.redirect_uri

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        current: dict[str, Any] | None | Unset
        if isinstance(self.current, Unset):
            current = UNSET
        elif isinstance(self.current, CurrentAuthorization):
            current = self.current.to_dict()
        else:
            current = self.current

        redirect_to: None | str | Unset
        if isinstance(self.redirect_to, Unset):
            redirect_to = UNSET
        else:
            redirect_to = self.redirect_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "app": app,
                "redirect_uri": redirect_uri,
                "scopes": scopes,
            }
        )
        if current is not UNSET:
            field_dict["current"] = current
        if redirect_to is not UNSET:
            field_dict["redirect_to"] = redirect_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.current_authorization import CurrentAuthorization
        from ..models.o_auth_app_summary import OAuthAppSummary

        d = dict(src_dict)
        app = OAuthAppSummary.from_dict(d.pop("app"))

        redirect_uri = d.pop("redirect_uri")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeyScope(scopes_item_data)

            scopes.append(scopes_item)

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

        def _parse_redirect_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redirect_to = _parse_redirect_to(d.pop("redirect_to", UNSET))

        o_auth_consent = cls(
            app=app,
            redirect_uri=redirect_uri,
            scopes=scopes,
            current=current,
            redirect_to=redirect_to,
        )

        o_auth_consent.additional_properties = d
        return o_auth_consent

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
