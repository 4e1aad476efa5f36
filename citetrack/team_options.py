"""Command-line options for running citetrack as a team: the shared store and shards.

The options are recorded in the click context (``ctx.meta``) rather than passed as
parameters, so the commands that take them need no new arguments: ``check`` and ``lock``
read them through :func:`store_choice` and :func:`shard_choice`.
"""

from __future__ import annotations

from typing import Any

import click

from citetrack.shard import Shard, ShardError

_STORE = "citetrack.store"
_STORE_REQUIRED = "citetrack.store_required"
_SHARD = "citetrack.shard"
_EVIDENCE = "citetrack.evidence"


def _remember(key: str) -> Any:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value

    return callback


def _parse_shard(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    try:
        ctx.meta[_SHARD] = Shard.parse(value) if value else None
    except ShardError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def store_options(func: Any) -> Any:
    """``--store URI`` and ``--store-required``."""
    func = click.option(
        "--store-required",
        is_flag=True,
        expose_value=False,
        callback=_remember(_STORE_REQUIRED),
        help="Exit 2 if the shared store cannot be reached, instead of falling back to "
        "the local cache.",
    )(func)
    return click.option(
        "--store",
        metavar="URI",
        expose_value=False,
        callback=_remember(_STORE),
        help="A shared evidence store, postgresql://user@host/db (or CITETRACK_STORE, or "
        "store in the config), instead of the local cache.",
    )(func)


def shard_option(func: Any) -> Any:
    """``--shard K/N``."""
    return click.option(
        "--shard",
        metavar="K/N",
        expose_value=False,
        callback=_parse_shard,
        help="Check only the K-th of N slices of the distinct identifiers and URLs (for "
        "a CI matrix); writes --format json, applies no lockfile; combine the slices with "
        "'citetrack merge'.",
    )(func)


def store_choice(settings_store: str | None) -> tuple[str | None, bool]:
    """The store URI (flag over config/env) and whether it is required."""
    meta = click.get_current_context().meta
    uri = meta.get(_STORE) or settings_store
    if uri and not uri.startswith(("postgresql://", "postgres://")):
        raise click.BadParameter("must be a postgresql:// URI", param_hint="--store")
    return uri, bool(meta.get(_STORE_REQUIRED))


def shard_choice() -> Shard | None:
    value = click.get_current_context().meta.get(_SHARD)
    return value if isinstance(value, Shard) else None


def remember_evidence(evidence: Any) -> Any:
    """Keep the run's evidence set for the shard report; returns it."""
    click.get_current_context().meta[_EVIDENCE] = evidence
    return evidence


def remembered_evidence() -> Any:
    return click.get_current_context().meta[_EVIDENCE]
