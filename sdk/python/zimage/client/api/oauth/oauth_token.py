from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.o_auth_error import OAuthError
from ...models.o_auth_token_response import OAuthTokenResponse
from ...models.problem import Problem
from ...models.token_form import TokenForm
from ...types import Response


def _get_kwargs(
    *,
    body: TokenForm,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/oauth/token",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OAuthError | OAuthTokenResponse | Problem | None:
    if response.status_code == 200:
        response_200 = OAuthTokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = OAuthError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthError.from_dict(response.json())

        return response_401

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
) -> Response[OAuthError | OAuthTokenResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenForm,
) -> Response[OAuthError | OAuthTokenResponse | Problem]:
    """The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

     The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

    Args:
        body (TokenForm): The parameters of the token, revocation and device endpoints (RFC 6749
            §4, RFC 7009,
            RFC 8628), as an `application/x-www-form-urlencoded` body. Parameters an endpoint does not
            use are ignored, as RFC 6749 §3.2 asks.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | OAuthTokenResponse | Problem]
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
    body: TokenForm,
) -> OAuthError | OAuthTokenResponse | Problem | None:
    """The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

     The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

    Args:
        body (TokenForm): The parameters of the token, revocation and device endpoints (RFC 6749
            §4, RFC 7009,
            RFC 8628), as an `application/x-www-form-urlencoded` body. Parameters an endpoint does not
            use are ignored, as RFC 6749 §3.2 asks.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | OAuthTokenResponse | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenForm,
) -> Response[OAuthError | OAuthTokenResponse | Problem]:
    """The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

     The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

    Args:
        body (TokenForm): The parameters of the token, revocation and device endpoints (RFC 6749
            §4, RFC 7009,
            RFC 8628), as an `application/x-www-form-urlencoded` body. Parameters an endpoint does not
            use are ignored, as RFC 6749 §3.2 asks.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthError | OAuthTokenResponse | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenForm,
) -> OAuthError | OAuthTokenResponse | Problem | None:
    """The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

     The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
    refresh token, or an approved device code for an access token and a refresh token. Errors
    are OAuth's JSON (`error`, `error_description`), not problem details.

    Args:
        body (TokenForm): The parameters of the token, revocation and device endpoints (RFC 6749
            §4, RFC 7009,
            RFC 8628), as an `application/x-www-form-urlencoded` body. Parameters an endpoint does not
            use are ignored, as RFC 6749 §3.2 asks.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthError | OAuthTokenResponse | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
