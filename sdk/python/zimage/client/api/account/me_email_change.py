from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.change_email_request import ChangeEmailRequest
from ...models.email_change_pending import EmailChangePending
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: ChangeEmailRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/me/email",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EmailChangePending | Problem | None:
    if response.status_code == 202:
        response_202 = EmailChangePending.from_dict(response.json())

        return response_202

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
) -> Response[EmailChangePending | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ChangeEmailRequest,
) -> Response[EmailChangePending | Problem]:
    """Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

     Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

    Args:
        body (ChangeEmailRequest): `POST /v1/me/email`: move the account to another address.
            Example: {'new_email': 'ada@new.example', 'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EmailChangePending | Problem]
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
    body: ChangeEmailRequest,
) -> EmailChangePending | Problem | None:
    """Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

     Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

    Args:
        body (ChangeEmailRequest): `POST /v1/me/email`: move the account to another address.
            Example: {'new_email': 'ada@new.example', 'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EmailChangePending | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ChangeEmailRequest,
) -> Response[EmailChangePending | Problem]:
    """Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

     Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

    Args:
        body (ChangeEmailRequest): `POST /v1/me/email`: move the account to another address.
            Example: {'new_email': 'ada@new.example', 'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EmailChangePending | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ChangeEmailRequest,
) -> EmailChangePending | Problem | None:
    """Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

     Move the account to another e-mail address. Needs the password (and, with two-factor
    authentication on, a fresh second factor). A link goes to the new address; the account moves
    when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
    notice with a link that undoes the change for 24 hours. The answer is the same whether or not
    another account uses the new address (then no link is sent). A newer request replaces one
    still waiting. Not available to API keys.

    Args:
        body (ChangeEmailRequest): `POST /v1/me/email`: move the account to another address.
            Example: {'new_email': 'ada@new.example', 'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EmailChangePending | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
