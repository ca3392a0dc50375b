from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_generation_request import CreateGenerationRequest
from ...models.generation_task import GenerationTask
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateGenerationRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/generations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationTask | Problem | None:
    if response.status_code == 200:
        response_200 = GenerationTask.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = GenerationTask.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = Problem.from_dict(response.json())

        return response_402

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
) -> Response[GenerationTask | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateGenerationRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[GenerationTask | Problem]:
    """Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

     Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

    Args:
        idempotency_key (None | str | Unset):
        body (CreateGenerationRequest): `POST /v1/generations`. Give an aspect ratio, or an
            explicit width and height. Example: {'aspect_ratio': '16:9', 'metadata': {'order':
            'A-17'}, 'model': 'z-image-local', 'num_images': 2, 'output_format': 'webp', 'prompt': 'a
            glass lighthouse at dusk, volumetric light', 'webhook_url':
            'https://hooks.example.com/zimage'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationTask | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateGenerationRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> GenerationTask | Problem | None:
    """Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

     Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

    Args:
        idempotency_key (None | str | Unset):
        body (CreateGenerationRequest): `POST /v1/generations`. Give an aspect ratio, or an
            explicit width and height. Example: {'aspect_ratio': '16:9', 'metadata': {'order':
            'A-17'}, 'model': 'z-image-local', 'num_images': 2, 'output_format': 'webp', 'prompt': 'a
            glass lighthouse at dusk, volumetric light', 'webhook_url':
            'https://hooks.example.com/zimage'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationTask | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateGenerationRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[GenerationTask | Problem]:
    """Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

     Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

    Args:
        idempotency_key (None | str | Unset):
        body (CreateGenerationRequest): `POST /v1/generations`. Give an aspect ratio, or an
            explicit width and height. Example: {'aspect_ratio': '16:9', 'metadata': {'order':
            'A-17'}, 'model': 'z-image-local', 'num_images': 2, 'output_format': 'webp', 'prompt': 'a
            glass lighthouse at dusk, volumetric light', 'webhook_url':
            'https://hooks.example.com/zimage'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationTask | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateGenerationRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> GenerationTask | Problem | None:
    """Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

     Start a generation. Its full cost is held at once and returned automatically if it fails or
    is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
    original task (200); the same key with another body is 422 `idempotency_key_reused`.

    Args:
        idempotency_key (None | str | Unset):
        body (CreateGenerationRequest): `POST /v1/generations`. Give an aspect ratio, or an
            explicit width and height. Example: {'aspect_ratio': '16:9', 'metadata': {'order':
            'A-17'}, 'model': 'z-image-local', 'num_images': 2, 'output_format': 'webp', 'prompt': 'a
            glass lighthouse at dusk, volumetric light', 'webhook_url':
            'https://hooks.example.com/zimage'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationTask | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
