"""Thread policy: the app takes 1 thread per matrix call, the CLI every core, unless EMOJIML_CPU_THREADS says."""

import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from emojiml import models
from emojiml.config import settings


@pytest.fixture
def threads(monkeypatch):
    """Run with a clean setting and give torch and BLAS their thread counts back afterwards."""
    before = torch.get_num_threads()
    blas_before = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    monkeypatch.delenv("EMOJIML_CPU_THREADS", raising=False)
    settings.cache_clear()
    yield monkeypatch
    settings.cache_clear()
    torch.set_num_threads(before)
    if blas_before:
        threadpool_limits(max(blas_before), user_api="blas")


def test_the_cli_leaves_the_threads_alone_when_nothing_is_set(threads):
    torch.set_num_threads(2)
    models.limit_cpu_threads()  # what `emojiml` does
    assert torch.get_num_threads() == 2


def test_the_app_takes_one_thread_when_nothing_is_set(threads):
    torch.set_num_threads(2)
    models.limit_cpu_threads(default=models.APP_CPU_THREADS)  # what the app's page_cache does
    assert torch.get_num_threads() == 1
    assert all(info["num_threads"] == 1 for info in threadpool_info() if info["user_api"] == "blas")


def test_the_variable_wins_over_either_default(threads):
    threads.setenv("EMOJIML_CPU_THREADS", "1")
    settings.cache_clear()
    torch.set_num_threads(2)
    models.limit_cpu_threads()
    assert torch.get_num_threads() == 1
