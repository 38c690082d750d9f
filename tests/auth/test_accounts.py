"""Local accounts: hashing, sign-in failures that give no hint, the lock after repeated failures, membership."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from emojiml.auth.accounts import MAX_FAILURES, AccountError, AccountStore, SignInError, accounts
from emojiml.errors import EmojimlError
from emojiml.workspace.store import WorkspaceStore

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path) -> AccountStore:
    return AccountStore(WorkspaceStore(f"sqlite:///{tmp_path / 'accounts.db'}"))


def test_password_is_stored_as_an_argon2_hash(store):
    store.add("alice", PASSWORD)
    with store.engine.connect() as connection:
        stored = connection.execute(select(accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_right_password_signs_in_and_names_are_case_blind(store):
    store.add("Alice@Example.org", PASSWORD, role="admin")
    account = store.authenticate("alice@example.ORG", PASSWORD)
    assert (account.name, account.is_admin) == ("alice@example.org", True)


def test_wrong_password_and_unknown_name_give_the_same_message(store):
    store.add("alice", PASSWORD)
    with pytest.raises(SignInError) as wrong_password:
        store.authenticate("alice", "not the password")
    with pytest.raises(SignInError) as unknown_name:
        store.authenticate("mallory", PASSWORD)
    assert str(wrong_password.value) == str(unknown_name.value) == "Wrong name or password."
    assert isinstance(wrong_password.value, EmojimlError)


def test_repeated_failures_lock_the_account_for_a_while(store):
    store.add("alice", PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInError):
            store.authenticate("alice", "guess", now=1000.0)
    with pytest.raises(SignInError, match="try again in"):
        store.authenticate("alice", PASSWORD, now=1001.0)  # even the right password waits
    assert store.authenticate("alice", PASSWORD, now=2000.0).name == "alice"  # the lock ran out
    with pytest.raises(SignInError, match="Wrong name"):
        store.authenticate("alice", "guess", now=2001.0)  # a success reset the count: no lock yet


def test_members_see_only_shared_workspaces_and_admins_see_all(store):
    admin = store.add("root", PASSWORD, role="admin")
    member = store.add("bob", PASSWORD)
    store.share("bob", "team-a")
    names = ["demo", "team-a", "team-b"]
    assert store.visible(member, names) == ["team-a"]
    assert store.visible(admin, names) == names
    assert store.visible(None, names) == names  # single-user mode
    store.unshare("bob", "team-a")
    assert store.visible(member, names) == []


def test_removing_an_account_removes_its_shares_and_forgetting_a_workspace_counts_rows(store):
    store.add("bob", PASSWORD)
    store.add("carol", PASSWORD)
    store.share("bob", "team-a")
    store.share("carol", "team-a")
    store.remove("bob")
    assert [info.name for info in store.list()] == ["carol"]
    assert store.forget_workspace("team-a") == 1


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("x", PASSWORD, "2-120 letters"), ("<script>", PASSWORD, "2-120 letters"), ("bob", "short", "at least 10")],
)
def test_bad_account_requests_are_refused_clearly(store, name, password, message):
    with pytest.raises(AccountError, match=message):
        store.add(name, password)


def test_duplicate_accounts_and_unknown_roles_are_refused(store):
    store.add("bob", PASSWORD)
    with pytest.raises(AccountError, match="exists already"):
        store.add("BOB", PASSWORD)
    with pytest.raises(AccountError, match="Unknown role"):
        store.add("carol", PASSWORD, role="owner")


def test_oidc_identities_must_have_an_account(store):
    store.add("dana@example.org", None)
    assert store.oidc_account("Dana@Example.org").name == "dana@example.org"
    with pytest.raises(SignInError, match="users add"):
        store.oidc_account("eve@example.org")
    with pytest.raises(SignInError):
        store.authenticate("dana@example.org", "")  # no password sign-in for an OIDC account


def test_imports_are_recorded_with_who_and_forgotten_with_the_workspace(store):
    store.record_import("team-a", "bob", "export.zip")
    store.record_import("team-a", "root", "more.zip")
    assert [(who, source) for who, source, _ in store.imports("team-a")] == [
        ("bob", "export.zip"),
        ("root", "more.zip"),
    ]
    store.forget_workspace("team-a")
    assert store.imports("team-a") == []
