from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.signup_request import SignupRequest
from ...models.user import User
from ...types import Response


def _get_kwargs(
    *,
    body: SignupRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auth/signup",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | User | None:
    if response.status_code == 201:
        response_201 = User.from_dict(response.json())

        return response_201

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
) -> Response[Problem | User]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignupRequest,
) -> Response[Problem | User]:
    """Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

     Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

    Args:
        body (SignupRequest): `POST /v1/auth/signup`. Example: {'accept_terms': True,
            'age_confirmed': True, 'display_name': 'Ada', 'email': 'ada@example.org', 'locale': 'en',
            'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User]
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
    body: SignupRequest,
) -> Problem | User | None:
    """Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

     Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

    Args:
        body (SignupRequest): `POST /v1/auth/signup`. Example: {'accept_terms': True,
            'age_confirmed': True, 'display_name': 'Ada', 'email': 'ada@example.org', 'locale': 'en',
            'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignupRequest,
) -> Response[Problem | User]:
    """Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

     Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

    Args:
        body (SignupRequest): `POST /v1/auth/signup`. Example: {'accept_terms': True,
            'age_confirmed': True, 'display_name': 'Ada', 'email': 'ada@example.org', 'locale': 'en',
            'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SignupRequest,
) -> Problem | User | None:
    """Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

     Create an account. A verification e-mail is sent; the account can sign in at once,
    but generating and buying wait for the verified address. An address that already has an
    account gets the same answer (nothing is created, and its owner is told by e-mail), so this
    endpoint reveals nobody's account.

    Args:
        body (SignupRequest): `POST /v1/auth/signup`. Example: {'accept_terms': True,
            'age_confirmed': True, 'display_name': 'Ada', 'email': 'ada@example.org', 'locale': 'en',
            'password': 'correct horse battery staple'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
