from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.passkey_sign_in_request import PasskeySignInRequest
from ...models.problem import Problem
from ...models.token_response import TokenResponse
from ...types import Response


def _get_kwargs(
    *,
    body: PasskeySignInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auth/passkey",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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
) -> Response[Problem | TokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PasskeySignInRequest,
) -> Response[Problem | TokenResponse]:
    """Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

     Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

    Args:
        body (PasskeySignInRequest): `POST /v1/auth/passkey`: finish signing in with a passkey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: PasskeySignInRequest,
) -> Problem | TokenResponse | None:
    """Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

     Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

    Args:
        body (PasskeySignInRequest): `POST /v1/auth/passkey`: finish signing in with a passkey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PasskeySignInRequest,
) -> Response[Problem | TokenResponse]:
    """Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

     Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

    Args:
        body (PasskeySignInRequest): `POST /v1/auth/passkey`: finish signing in with a passkey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: PasskeySignInRequest,
) -> Problem | TokenResponse | None:
    """Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

     Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
    `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
    the session counts as having proved a second factor, so no code is asked.

    Args:
        body (PasskeySignInRequest): `POST /v1/auth/passkey`: finish signing in with a passkey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
