"""`align corpus --dask`: the same per-document task on a Dask LocalCluster (127.0.0.1 only, two single-thread
worker processes, shut down at the end) gives the same dataset, byte for byte, as a run in one process, and each
worker loads the encoder once."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from align.corpus.config import load_config  # noqa: E402

from align.corpus.run import build_corpus  # noqa: E402
from align.corpus.cluster import PLUGIN  # noqa: E402
from test_corpus import folder_bytes, make_corpus  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        yield c
    finally:
        c.close()


def test_dask_run_equals_local_run(cluster, tmp_path):
    from distributed import Client

    cfg = load_config(make_corpus(tmp_path / "in", broken=True))
    local = build_corpus(cfg, str(tmp_path / "local"), progress=False)
    on_dask = build_corpus(cfg, str(tmp_path / "dask"), dask=cluster.scheduler_address, progress=False)
    assert on_dask.aligned == local.aligned == 4
    assert [f["doc_id"] for f in on_dask.failures] == ["bin", "empty"]
    assert folder_bytes(tmp_path / "dask") == folder_bytes(tmp_path / "local")
    # the work was done by the cluster's worker processes, each with one encoder loaded by the plugin, which
    # is removed afterwards (the cluster may be someone else's)
    with Client(cluster) as client:
        pids = client.run(lambda: __import__("os").getpid())
        plugins = client.run(lambda dask_worker: PLUGIN in dask_worker.plugins)
    assert set(on_dask.worker_encoders) <= set(pids.values()) and len(on_dask.worker_encoders) >= 1
    assert all(len(ids) == 1 for ids in on_dask.worker_encoders.values())
    assert not any(plugins.values())
