from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backend_health import BackendHealth
from ...models.problem import Problem
from ...models.set_backend_mode import SetBackendMode
from ...types import Response


def _get_kwargs(
    provider: str,
    *,
    body: SetBackendMode,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/admin/backends/{provider}".format(
            provider=quote(str(provider), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BackendHealth | Problem | None:
    if response.status_code == 200:
        response_200 = BackendHealth.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[BackendHealth | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    provider: str,
    *,
    client: AuthenticatedClient,
    body: SetBackendMode,
) -> Response[BackendHealth | Problem]:
    """Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

     Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

    Args:
        provider (str):
        body (SetBackendMode): `PUT /v1/admin/backends/{provider}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackendHealth | Problem]
    """

    kwargs = _get_kwargs(
        provider=provider,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    provider: str,
    *,
    client: AuthenticatedClient,
    body: SetBackendMode,
) -> BackendHealth | Problem | None:
    """Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

     Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

    Args:
        provider (str):
        body (SetBackendMode): `PUT /v1/admin/backends/{provider}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackendHealth | Problem
    """

    return sync_detailed(
        provider=provider,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    provider: str,
    *,
    client: AuthenticatedClient,
    body: SetBackendMode,
) -> Response[BackendHealth | Problem]:
    """Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

     Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

    Args:
        provider (str):
        body (SetBackendMode): `PUT /v1/admin/backends/{provider}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackendHealth | Problem]
    """

    kwargs = _get_kwargs(
        provider=provider,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider: str,
    *,
    client: AuthenticatedClient,
    body: SetBackendMode,
) -> BackendHealth | Problem | None:
    """Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

     Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
    fail, refunded) or reactivate a backend, without a restart: every process follows within two
    seconds. Audited.

    Args:
        provider (str):
        body (SetBackendMode): `PUT /v1/admin/backends/{provider}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackendHealth | Problem
    """

    return (
        await asyncio_detailed(
            provider=provider,
            client=client,
            body=body,
        )
    ).parsed
