from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    provider: str,
    *,
    code: str | Unset = UNSET,
    state: str | Unset = UNSET,
    error: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["code"] = code

    params["state"] = state

    params["error"] = error

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/auth/sso/{provider}/callback".format(
            provider=quote(str(provider), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | None:
    if response.status_code == 303:
        response_303 = cast(Any, None)
        return response_303

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    code: str | Unset = UNSET,
    state: str | Unset = UNSET,
    error: str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Where the provider sends the browser back (register
    `{public URL}/v1/auth/sso/{provider}/callback` with the provider). Always answers
    `303 See Other` to a page of the web app:

     - signed in: the `return_to` of the start (default `/create`), with the session cookies set;
    - the account has two-factor authentication: `/login#second_factor={challenge}`
      (`/login?next={return_to}#second_factor=…` when the start named a `return_to`), for
      `POST /v1/auth/login/second-factor` (followed by `&passkey` when one of the account's
      passkeys may answer it instead, at `POST /v1/auth/passkey`);
    - someone new: `/signup/finish#token={token}` (with `?next={return_to}` the same way), to
      confirm age and terms (`POST /v1/auth/sso/signup`);
    - the address has an account that is not linked to this provider yet:
      `/login?sso=link_sent` (its owner was mailed a link that connects it);
    - linking from Security: `/security?linked={provider}`;
    - anything else: `/login?sso_error={code}` (or `/security?sso_error={code}` when linking),
      `code` being `server_error`, `account_unverified` (the address has an account whose address
      was never confirmed: take it over with "Forgot password" first), `state_mismatch` (unknown, used
    or expired `state`, or another browser),
      `access_denied`, `provider_error`, `provider_unavailable`, `token_rejected` (the code or
      `id_token` failed verification: signature, issuer, audience, expiry or `nonce`),
      `email_unverified`, `email_taken`, `invitation_required`, `account_disabled`,
      `erasure_pending`, `identity_taken` (linked to another account) or
      `provider_already_linked`.

    Args:
        provider (str):
        code (str | Unset):
        state (str | Unset):
        error (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        provider=provider,
        code=code,
        state=state,
        error=error,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    code: str | Unset = UNSET,
    state: str | Unset = UNSET,
    error: str | Unset = UNSET,
) -> Any | Problem | None:
    """Where the provider sends the browser back (register
    `{public URL}/v1/auth/sso/{provider}/callback` with the provider). Always answers
    `303 See Other` to a page of the web app:

     - signed in: the `return_to` of the start (default `/create`), with the session cookies set;
    - the account has two-factor authentication: `/login#second_factor={challenge}`
      (`/login?next={return_to}#second_factor=…` when the start named a `return_to`), for
      `POST /v1/auth/login/second-factor` (followed by `&passkey` when one of the account's
      passkeys may answer it instead, at `POST /v1/auth/passkey`);
    - someone new: `/signup/finish#token={token}` (with `?next={return_to}` the same way), to
      confirm age and terms (`POST /v1/auth/sso/signup`);
    - the address has an account that is not linked to this provider yet:
      `/login?sso=link_sent` (its owner was mailed a link that connects it);
    - linking from Security: `/security?linked={provider}`;
    - anything else: `/login?sso_error={code}` (or `/security?sso_error={code}` when linking),
      `code` being `server_error`, `account_unverified` (the address has an account whose address
      was never confirmed: take it over with "Forgot password" first), `state_mismatch` (unknown, used
    or expired `state`, or another browser),
      `access_denied`, `provider_error`, `provider_unavailable`, `token_rejected` (the code or
      `id_token` failed verification: signature, issuer, audience, expiry or `nonce`),
      `email_unverified`, `email_taken`, `invitation_required`, `account_disabled`,
      `erasure_pending`, `identity_taken` (linked to another account) or
      `provider_already_linked`.

    Args:
        provider (str):
        code (str | Unset):
        state (str | Unset):
        error (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        provider=provider,
        client=client,
        code=code,
        state=state,
        error=error,
    ).parsed


async def asyncio_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    code: str | Unset = UNSET,
    state: str | Unset = UNSET,
    error: str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Where the provider sends the browser back (register
    `{public URL}/v1/auth/sso/{provider}/callback` with the provider). Always answers
    `303 See Other` to a page of the web app:

     - signed in: the `return_to` of the start (default `/create`), with the session cookies set;
    - the account has two-factor authentication: `/login#second_factor={challenge}`
      (`/login?next={return_to}#second_factor=…` when the start named a `return_to`), for
      `POST /v1/auth/login/second-factor` (followed by `&passkey` when one of the account's
      passkeys may answer it instead, at `POST /v1/auth/passkey`);
    - someone new: `/signup/finish#token={token}` (with `?next={return_to}` the same way), to
      confirm age and terms (`POST /v1/auth/sso/signup`);
    - the address has an account that is not linked to this provider yet:
      `/login?sso=link_sent` (its owner was mailed a link that connects it);
    - linking from Security: `/security?linked={provider}`;
    - anything else: `/login?sso_error={code}` (or `/security?sso_error={code}` when linking),
      `code` being `server_error`, `account_unverified` (the address has an account whose address
      was never confirmed: take it over with "Forgot password" first), `state_mismatch` (unknown, used
    or expired `state`, or another browser),
      `access_denied`, `provider_error`, `provider_unavailable`, `token_rejected` (the code or
      `id_token` failed verification: signature, issuer, audience, expiry or `nonce`),
      `email_unverified`, `email_taken`, `invitation_required`, `account_disabled`,
      `erasure_pending`, `identity_taken` (linked to another account) or
      `provider_already_linked`.

    Args:
        provider (str):
        code (str | Unset):
        state (str | Unset):
        error (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        provider=provider,
        code=code,
        state=state,
        error=error,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    code: str | Unset = UNSET,
    state: str | Unset = UNSET,
    error: str | Unset = UNSET,
) -> Any | Problem | None:
    """Where the provider sends the browser back (register
    `{public URL}/v1/auth/sso/{provider}/callback` with the provider). Always answers
    `303 See Other` to a page of the web app:

     - signed in: the `return_to` of the start (default `/create`), with the session cookies set;
    - the account has two-factor authentication: `/login#second_factor={challenge}`
      (`/login?next={return_to}#second_factor=…` when the start named a `return_to`), for
      `POST /v1/auth/login/second-factor` (followed by `&passkey` when one of the account's
      passkeys may answer it instead, at `POST /v1/auth/passkey`);
    - someone new: `/signup/finish#token={token}` (with `?next={return_to}` the same way), to
      confirm age and terms (`POST /v1/auth/sso/signup`);
    - the address has an account that is not linked to this provider yet:
      `/login?sso=link_sent` (its owner was mailed a link that connects it);
    - linking from Security: `/security?linked={provider}`;
    - anything else: `/login?sso_error={code}` (or `/security?sso_error={code}` when linking),
      `code` being `server_error`, `account_unverified` (the address has an account whose address
      was never confirmed: take it over with "Forgot password" first), `state_mismatch` (unknown, used
    or expired `state`, or another browser),
      `access_denied`, `provider_error`, `provider_unavailable`, `token_rejected` (the code or
      `id_token` failed verification: signature, issuer, audience, expiry or `nonce`),
      `email_unverified`, `email_taken`, `invitation_required`, `account_disabled`,
      `erasure_pending`, `identity_taken` (linked to another account) or
      `provider_already_linked`.

    Args:
        provider (str):
        code (str | Unset):
        state (str | Unset):
        error (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            provider=provider,
            client=client,
            code=code,
            state=state,
            error=error,
        )
    ).parsed
