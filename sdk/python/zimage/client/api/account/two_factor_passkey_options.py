from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.passkey_options import PasskeyOptions
from ...models.problem import Problem
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/me/two-factor/passkey-options",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PasskeyOptions | Problem | None:
    if response.status_code == 200:
        response_200 = PasskeyOptions.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PasskeyOptions | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[PasskeyOptions | Problem]:
    """Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

     Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PasskeyOptions | Problem]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> PasskeyOptions | Problem | None:
    """Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

     Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PasskeyOptions | Problem
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[PasskeyOptions | Problem]:
    """Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

     Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PasskeyOptions | Problem]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> PasskeyOptions | Problem | None:
    """Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

     Start confirming it is you with a passkey, instead of a code from the authenticator app, for
    the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
    `navigator.credentials.get()` that only this account's passkeys answer. Finish with
    `POST /v1/me/two-factor/passkey` from the same session.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PasskeyOptions | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
