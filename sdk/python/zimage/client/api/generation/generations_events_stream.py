from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generations_events_stream_response_200_type_1 import (
    GenerationsEventsStreamResponse200Type1,
)
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    last_event_id: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/generations/{id}/events".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationsEventsStreamResponse200Type1 | str | Problem | None:
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> GenerationsEventsStreamResponse200Type1 | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = GenerationsEventsStreamResponse200Type1.from_dict(
                    data
                )

                return response_200_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationsEventsStreamResponse200Type1 | str, data)

        response_200 = _parse_response_200(response.text)

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
) -> Response[GenerationsEventsStreamResponse200Type1 | str | Problem]:
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
    last_event_id: None | str | Unset = UNSET,
) -> Response[GenerationsEventsStreamResponse200Type1 | str | Problem]:
    """Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

     Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

    Args:
        id (UUID):
        last_event_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationsEventsStreamResponse200Type1 | str | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> GenerationsEventsStreamResponse200Type1 | str | Problem | None:
    """Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

     Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

    Args:
        id (UUID):
        last_event_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationsEventsStreamResponse200Type1 | str | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> Response[GenerationsEventsStreamResponse200Type1 | str | Problem]:
    """Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

     Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

    Args:
        id (UUID):
        last_event_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationsEventsStreamResponse200Type1 | str | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> GenerationsEventsStreamResponse200Type1 | str | Problem | None:
    """Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

     Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
    each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
    `: keep-alive` comments while idle; the stream ends after a final status.

    Args:
        id (UUID):
        last_event_id (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationsEventsStreamResponse200Type1 | str | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            last_event_id=last_event_id,
        )
    ).parsed
