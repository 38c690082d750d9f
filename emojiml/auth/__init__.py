"""Who may open the app and which workspaces each person sees: local accounts, OIDC sign-in, membership."""

from emojiml.auth.accounts import (
    ROLES,
    Account,
    AccountError,
    AccountStore,
    SignInError,
    account_store,
)

__all__ = ["ROLES", "Account", "AccountError", "AccountStore", "SignInError", "account_store"]
