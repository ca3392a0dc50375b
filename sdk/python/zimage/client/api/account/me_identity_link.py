from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.identity_link_request import IdentityLinkRequest
from ...models.problem import Problem
from ...models.sso_start import SsoStart
from ...types import Response


def _get_kwargs(
    *,
    body: IdentityLinkRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/me/identities",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SsoStart | None:
    if response.status_code == 200:
        response_200 = SsoStart.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | SsoStart]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: IdentityLinkRequest,
) -> Response[Problem | SsoStart]:
    """Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

     Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

    Args:
        body (IdentityLinkRequest): `POST /v1/me/identities`: connect a provider to the signed-in
            account. Example: {'password': 'correct horse battery staple', 'provider': 'google'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoStart]
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
    client: AuthenticatedClient,
    body: IdentityLinkRequest,
) -> Problem | SsoStart | None:
    """Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

     Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

    Args:
        body (IdentityLinkRequest): `POST /v1/me/identities`: connect a provider to the signed-in
            account. Example: {'password': 'correct horse battery staple', 'provider': 'google'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoStart
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: IdentityLinkRequest,
) -> Response[Problem | SsoStart]:
    """Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

     Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

    Args:
        body (IdentityLinkRequest): `POST /v1/me/identities`: connect a provider to the signed-in
            account. Example: {'password': 'correct horse battery staple', 'provider': 'google'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoStart]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: IdentityLinkRequest,
) -> Problem | SsoStart | None:
    """Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

     Start connecting a provider to this account: answers the address to send the browser to (and
    sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
    lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
    `password` when it has one, and a fresh second factor where two-factor authentication is on.

    Args:
        body (IdentityLinkRequest): `POST /v1/me/identities`: connect a provider to the signed-in
            account. Example: {'password': 'correct horse battery staple', 'provider': 'google'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoStart
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
