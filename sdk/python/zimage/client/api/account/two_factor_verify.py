from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.second_factor_code import SecondFactorCode
from ...types import Response


def _get_kwargs(
    *,
    body: SecondFactorCode,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/me/two-factor/verify",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: SecondFactorCode,
) -> Response[Any | Problem]:
    """Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

     Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

    Args:
        body (SecondFactorCode): A code from the authenticator app, or an unused recovery code.
            Example: {'code': '123456'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
    body: SecondFactorCode,
) -> Any | Problem | None:
    """Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

     Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

    Args:
        body (SecondFactorCode): A code from the authenticator app, or an unused recovery code.
            Example: {'code': '123456'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: SecondFactorCode,
) -> Response[Any | Problem]:
    """Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

     Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

    Args:
        body (SecondFactorCode): A code from the authenticator app, or an unused recovery code.
            Example: {'code': '123456'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: SecondFactorCode,
) -> Any | Problem | None:
    """Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

     Prove the second factor again, for the sensitive actions that ask for a fresh one within the
    last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
    password, creating API keys, asking for erasure): they answer `403 second_factor_required`
    until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.

    Args:
        body (SecondFactorCode): A code from the authenticator app, or an unused recovery code.
            Example: {'code': '123456'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
