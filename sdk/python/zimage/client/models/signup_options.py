from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.signup_mode import SignupMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invitation_preview import InvitationPreview
    from ..models.sso_provider_info import SsoProviderInfo


T = TypeVar("T", bound="SignupOptions")


@_attrs_define
class SignupOptions:
    """`GET /v1/auth/signup-options`: what the sign-up form needs to know before it is filled in.

    Attributes:
        allowed_domains (list[str]): With `invite`: addresses at these domains may sign up without an invitation.
        mode (SignupMode): Who may sign up on this installation.
        password_signup (bool): Whether `POST /v1/auth/signup` takes new accounts with a password; when `false`, new
            accounts come only through `providers`.
        providers (list[SsoProviderInfo]): The identity providers people may sign in and sign up with, as buttons in
            this order.
        invitation (InvitationPreview | None | Unset):
        passkeys (bool | Unset): Whether people may sign in with a passkey (`POST /v1/auth/passkey/options`).
    """

    allowed_domains: list[str]
    mode: SignupMode
    password_signup: bool
    providers: list[SsoProviderInfo]
    invitation: InvitationPreview | None | Unset = UNSET
    passkeys: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invitation_preview import InvitationPreview

        allowed_domains = self.allowed_domains

        mode = self.mode.value

        password_signup = self.password_signup

        providers = []
        for providers_item_data in self.providers:
            providers_item = providers_item_data.to_dict()
            providers.append(providers_item)

        invitation: dict[str, Any] | None | Unset
        if isinstance(self.invitation, Unset):
            invitation = UNSET
        elif isinstance(self.invitation, InvitationPreview):
            invitation = self.invitation.to_dict()
        else:
            invitation = self.invitation

        passkeys = self.passkeys

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_domains": allowed_domains,
                "mode": mode,
                "password_signup": password_signup,
                "providers": providers,
            }
        )
        if invitation is not UNSET:
            field_dict["invitation"] = invitation
        if passkeys is not UNSET:
            field_dict["passkeys"] = passkeys

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.invitation_preview import InvitationPreview
        from ..models.sso_provider_info import SsoProviderInfo

        d = dict(src_dict)
        allowed_domains = cast(list[str], d.pop("allowed_domains"))

        mode = SignupMode(d.pop("mode"))

        password_signup = d.pop("password_signup")

        providers = []
        _providers = d.pop("providers")
        for providers_item_data in _providers:
            providers_item = SsoProviderInfo.from_dict(providers_item_data)

            providers.append(providers_item)

        def _parse_invitation(data: object) -> InvitationPreview | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                invitation_type_0 = InvitationPreview.from_dict(data)

                return invitation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InvitationPreview | None | Unset, data)

        invitation = _parse_invitation(d.pop("invitation", UNSET))

        passkeys = d.pop("passkeys", UNSET)

        signup_options = cls(
            allowed_domains=allowed_domains,
            mode=mode,
            password_signup=password_signup,
            providers=providers,
            invitation=invitation,
            passkeys=passkeys,
        )

        signup_options.additional_properties = d
        return signup_options

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
