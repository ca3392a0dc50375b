from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.received import Received
from ...types import Response


def _get_kwargs(
    provider: str,
    *,
    body: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhooks/providers/{provider}".format(
            provider=quote(str(provider), safe=""),
        ),
    }

    _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Received | None:
    if response.status_code == 200:
        response_200 = Received.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | Received]:
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
    body: str,
) -> Response[Problem | Received]:
    """Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

     Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

    Args:
        provider (str):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Received]
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
    client: AuthenticatedClient | Client,
    body: str,
) -> Problem | Received | None:
    """Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

     Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

    Args:
        provider (str):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Received
    """

    return sync_detailed(
        provider=provider,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    body: str,
) -> Response[Problem | Received]:
    """Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

     Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

    Args:
        provider (str):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Received]
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
    client: AuthenticatedClient | Client,
    body: str,
) -> Problem | Received | None:
    """Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

     Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
    (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
    secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
    Timestamps further than 5 minutes from now are refused. A verified
    notice only names the task: its outcome is read back from the provider's API before anything
    is stored or charged, exactly once alongside the worker that polls the same task.

    Args:
        provider (str):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Received
    """

    return (
        await asyncio_detailed(
            provider=provider,
            client=client,
            body=body,
        )
    ).parsed
