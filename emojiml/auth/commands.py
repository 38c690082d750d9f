"""``emojiml users ...`` and ``emojiml delete-workspace``: accounts, sharing and removal, for whoever runs the
deployment (the CLI runs on the server, so it sees every workspace)."""

from __future__ import annotations

import argparse
import getpass
import sys

from emojiml.auth.accounts import ROLES, AccountError, account_store


def _password(args: argparse.Namespace) -> str | None:
    if args.oidc:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    account = account_store().add(args.name, _password(args), role=args.role)
    way = "through the OIDC provider" if args.oidc else "with a password"
    print(f"Added {account.name} ({account.role}), who signs in {way}.")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    account_store().remove(args.name)
    print(f"Removed {args.name} and their workspace shares.")
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    args.oidc = False
    account_store().set_password(args.name, _password(args))
    print(f"Changed the password of {args.name}.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    rows = account_store().list()
    if not rows:
        print("No accounts yet: add an admin with `emojiml users add NAME --role admin`.")
    for row in rows:
        shared = ", ".join(row.workspaces) if row.role == "member" else "every workspace"
        print(f"{row.name}\t{row.role}\t{row.sign_in}\t{shared or '(none shared)'}")
    return 0


def cmd_users_share(args: argparse.Namespace) -> int:
    from emojiml.workspace.store import open_store

    if open_store().workspace(args.workspace) is None:
        raise AccountError(f"No workspace named {args.workspace!r}; `emojiml workspaces` lists them.")
    store = account_store()
    if args.remove:
        store.unshare(args.name, args.workspace)
        print(f"{args.name} no longer sees {args.workspace}.")
    else:
        store.share(args.name, args.workspace)
        print(f"{args.name} now sees {args.workspace}.")
    return 0


def cmd_delete_workspace(args: argparse.Namespace) -> int:
    from emojiml.workspace.removal import removal_summary, remove_workspace
    from emojiml.workspace.store import open_store

    if not args.yes:
        raise AccountError(f"Deleting {args.workspace!r} cannot be undone: add --yes to confirm.")
    print(removal_summary(args.workspace, remove_workspace(open_store(), args.workspace)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``emojiml users add|remove|password|list|share`` and ``delete-workspace``."""
    users = commands.add_parser("users", help="local accounts and who sees which workspace (EMOJIML_AUTH=local)")
    verbs = users.add_subparsers(dest="users_command", required=True, metavar="VERB")

    add = verbs.add_parser("add", help="add an account (asks for a password twice)")
    add.add_argument("name", help="login name, or the e-mail the OIDC provider returns")
    add.add_argument("--role", choices=ROLES, default="member")
    add.add_argument("--oidc", action="store_true", help="signs in through the OIDC provider: no password")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.set_defaults(func=cmd_users_add)

    remove = verbs.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_users_remove)

    password = verbs.add_parser("password", help="set a new password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=cmd_users_password)

    listing = verbs.add_parser("list", help="accounts, roles and shared workspaces")
    listing.set_defaults(func=cmd_users_list)

    share = verbs.add_parser("share", help="let a member see a workspace (or --remove)")
    share.add_argument("name")
    share.add_argument("workspace")
    share.add_argument("--remove", action="store_true")
    share.set_defaults(func=cmd_users_share)

    deletion = commands.add_parser("delete-workspace", help="delete a workspace's events, messages and feedback")
    deletion.add_argument("workspace")
    deletion.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    deletion.set_defaults(func=cmd_delete_workspace)
