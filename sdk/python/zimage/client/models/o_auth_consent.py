from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_scope import ApiKeyScope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.o_auth_app_summary import OAuthAppSummary


T = TypeVar("T", bound="OAuthConsent")


@_attrs_define
class OAuthConsent:
    """`GET /v1/oauth/authorize`: what the consent page shows.

    Attributes:
        already_authorized (bool): Whether the user has authorized this app before (its scopes and cap are replaced on
            approval).
        app (OAuthAppSummary): What a user is shown about an app asking for access.
        redirect_uri (str):
        scopes (list[ApiKeyScope]): What the app asks to do.
        redirect_to (None | str | Unset): When present, the request cannot be granted as sent (an unknown scope, no
            PKCE…): send
            the browser here, the app's redirect URI with `error` and `error_description`, instead
            of asking.
    """

    already_authorized: bool
    app: OAuthAppSummary
    redirect_uri: str
    scopes: list[ApiKeyScope]
    redirect_to: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        already_authorized = self.already_authorized

        app = self.app.to_dict()

        redirect_uri = self.redirect_uri

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        redirect_to: None | str | Unset
        if isinstance(self.redirect_to, Unset):
            redirect_to = UNSET
        else:
            redirect_to = self.redirect_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "already_authorized": already_authorized,
                "app": app,
                "redirect_uri": redirect_uri,
                "scopes": scopes,
            }
        )
        if redirect_to is not UNSET:
            field_dict["redirect_to"] = redirect_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.o_auth_app_summary import OAuthAppSummary

        d = dict(src_dict)
        already_authorized = d.pop("already_authorized")

        app = OAuthAppSummary.from_dict(d.pop("app"))

        redirect_uri = d.pop("redirect_uri")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeyScope(scopes_item_data)

            scopes.append(scopes_item)

        def _parse_redirect_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redirect_to = _parse_redirect_to(d.pop("redirect_to", UNSET))

        o_auth_consent = cls(
            already_authorized=already_authorized,
            app=app,
            redirect_uri=redirect_uri,
            scopes=scopes,
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
