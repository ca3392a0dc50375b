from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.authorization_params import AuthorizationParams


T = TypeVar("T", bound="AuthorizeDecision")


@_attrs_define
class AuthorizeDecision:
    """`POST /v1/oauth/authorize`: the user's answer to a consent page.

    Attributes:
        approve (bool): `true` to allow, `false` to deny (the app is told `access_denied`).
        request (AuthorizationParams): An authorization request as the app sent it (RFC 6749 §4.1.1 with PKCE, RFC
            7636): the web
            app's `/oauth/authorize` page passes its query on unchanged.
        monthly_credit_limit (int | None | Unset): Most credits the app may spend in a UTC calendar month for this user;
            no cap when absent.
            It replaces the cap of an earlier authorization (the consent page fills that one in).
    """

    approve: bool
    request: AuthorizationParams
    monthly_credit_limit: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        approve = self.approve

        request = self.request.to_dict()

        monthly_credit_limit: int | None | Unset
        if isinstance(self.monthly_credit_limit, Unset):
            monthly_credit_limit = UNSET
        else:
            monthly_credit_limit = self.monthly_credit_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "approve": approve,
                "request": request,
            }
        )
        if monthly_credit_limit is not UNSET:
            field_dict["monthly_credit_limit"] = monthly_credit_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.authorization_params import AuthorizationParams

        d = dict(src_dict)
        approve = d.pop("approve")

        request = AuthorizationParams.from_dict(d.pop("request"))

        def _parse_monthly_credit_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_credit_limit = _parse_monthly_credit_limit(
            d.pop("monthly_credit_limit", UNSET)
        )

        authorize_decision = cls(
            approve=approve,
            request=request,
            monthly_credit_limit=monthly_credit_limit,
        )

        return authorize_decision
