from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.saved_prompt import SavedPrompt
from ...models.update_prompt_request import UpdatePromptRequest
from ...types import Response


def _get_kwargs(
    id: UUID,
    *,
    body: UpdatePromptRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/prompts/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SavedPrompt | None:
    if response.status_code == 200:
        response_200 = SavedPrompt.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | SavedPrompt]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: UpdatePromptRequest,
) -> Response[Problem | SavedPrompt]:
    """Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

     Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

    Args:
        id (UUID):
        body (UpdatePromptRequest): `PATCH /v1/prompts/{id}`: absent fields stay;
            `negative_prompt: null` clears it; `parameters`
            replaces all saved settings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SavedPrompt]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: UpdatePromptRequest,
) -> Problem | SavedPrompt | None:
    """Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

     Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

    Args:
        id (UUID):
        body (UpdatePromptRequest): `PATCH /v1/prompts/{id}`: absent fields stay;
            `negative_prompt: null` clears it; `parameters`
            replaces all saved settings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SavedPrompt
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: UpdatePromptRequest,
) -> Response[Problem | SavedPrompt]:
    """Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

     Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

    Args:
        id (UUID):
        body (UpdatePromptRequest): `PATCH /v1/prompts/{id}`: absent fields stay;
            `negative_prompt: null` clears it; `parameters`
            replaces all saved settings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SavedPrompt]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: UpdatePromptRequest,
) -> Problem | SavedPrompt | None:
    """Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

     Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
    replaces every saved setting.

    Args:
        id (UUID):
        body (UpdatePromptRequest): `PATCH /v1/prompts/{id}`: absent fields stay;
            `negative_prompt: null` clears it; `parameters`
            replaces all saved settings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SavedPrompt
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
