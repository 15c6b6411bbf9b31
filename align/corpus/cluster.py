"""The Dask backend of the corpus runner (``pip install 'align[dask]'``): a concurrent.futures executor on a
cluster (``client.get_executor()``), which align.corpus.run drives like any other.

``--dask local`` starts a LocalCluster on this machine (127.0.0.1 only, one thread per worker process, --workers
processes); ``--dask tcp://HOST:8786`` uses a running scheduler (e.g. one started by dask-jobqueue on SLURM), with
at most --workers documents in flight (default: one per worker thread of the cluster). A worker plugin sets each
worker up once (one thread, the encoder loaded), as the local pool's initializer does. Workers read the input
files by path: on a cluster they need the same file system (as SLURM nodes usually have).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Iterator

from align.corpus.task import Job, pin_threads, worker_encoder
from align.errors import AlignError

PLUGIN = "align-encoder"

try:
    from distributed import WorkerPlugin as _Plugin
except ImportError:  # the [dask] extra is not installed: dask_executor says so
    _Plugin = object  # type: ignore[assignment,misc]


class WorkerSetup(_Plugin):  # type: ignore[valid-type,misc]
    """Sets a worker up when it starts (and every worker that joins later): one thread, the encoder loaded."""

    def __init__(self, job: Job):
        self.job = job

    def setup(self, worker):
        pin_threads()  # the nanny already starts workers with OMP/MKL/OPENBLAS at 1; BLAS already loaded too
        worker_encoder(self.job)


@contextmanager
def dask_executor(address: str, workers: int | None, job: Job) -> Iterator[tuple[Executor, int]]:
    """(executor, documents in flight) on the cluster at `address` ("local": a LocalCluster of `workers`
    single-thread processes); everything started here is shut down on exit."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise AlignError("--dask needs the dask extra: pip install 'align[dask]'") from None

    cluster = None
    try:
        if address == "local":
            # Two Dask defaults cost the aligner about a third of its speed each (measured on unpc-ar-en): the
            # workers' statistical profiler (samples the task's stack every 10 ms) and the nanny's
            # MALLOC_TRIM_THRESHOLD_ (which also stops glibc adapting its mmap threshold, so every numpy array
            # is mapped and unmapped again). Both off for our own cluster; the README says how for others.
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                       processes=True, host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except OSError as e:
        if cluster is not None:
            cluster.close()
        raise AlignError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        client.register_plugin(WorkerSetup(job), name=PLUGIN)
        threads = sum(client.nthreads().values()) or 1
        # --workers on a running cluster: at most that many documents at once; else keep every thread busy
        in_flight = workers if workers and cluster is None else 2 * threads
        yield client.get_executor(pure=False), in_flight
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
        else:  # someone else's cluster: do not leave our encoder in its workers' memory
            try:
                client.unregister_worker_plugin(PLUGIN)
            finally:
                client.close()
