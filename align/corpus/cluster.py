"""The same per-document task on a Dask distributed cluster (``pip install 'align[dask]'``).

``--dask local`` starts a LocalCluster on this machine (127.0.0.1 only, one thread per worker process);
``--dask tcp://HOST:8786`` uses a running scheduler (e.g. one started by dask-jobqueue on SLURM). A worker
plugin loads the encoder once per worker; each task aligns one document and returns its links to this process,
which writes the parts and builds the dataset, so the output is the same as a local run. Workers read the
input files by path: on a cluster they need the same file system (as SLURM nodes usually have).
"""

from __future__ import annotations

from align.corpus.config import Doc
from align.corpus.task import Job, align_doc, load_encoder, pin_threads
from align.errors import AlignError

PLUGIN = "align-encoder"

try:
    from distributed import WorkerPlugin
except ImportError:  # the [dask] extra is not installed: run_dask says so
    WorkerPlugin = object


class EncoderPlugin(WorkerPlugin):
    """Loads the encoder once when a worker starts (and on every worker that joins later)."""

    def __init__(self, job: Job):
        self.job = job
        self.encoder = None
        self.loads = 0

    def setup(self, worker):
        pin_threads()  # the nanny already starts workers with OMP/MKL/OPENBLAS at 1; the encoder's own too
        self.encoder = load_encoder(self.job)
        self.loads += 1


def dask_task(doc: Doc, job: Job) -> dict:
    from distributed import get_worker

    return align_doc(doc, job, get_worker().plugins[PLUGIN].encoder)


def run_dask(todo: list[Doc], job: Job, address: str, workers: int, retries: int):
    """Yield the results as documents finish. Tasks that raise (not bad inputs: those are returned as
    failures) are retried ``retries`` times, on any worker."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise AlignError("--dask needs the dask extra: pip install 'align[dask]'") from None
    from align.corpus.run import _failure

    import dask

    cluster = None
    try:
        if address == "local":
            # Two Dask defaults cost the aligner about a third of its speed each (measured on unpc-ar-en): the
            # workers' statistical profiler (samples the task's stack every 10 ms) and the nanny's
            # MALLOC_TRIM_THRESHOLD_ (which also stops glibc adapting its mmap threshold, so every numpy array
            # is mapped and unmapped again). Both off for our own cluster; the README says how for others.
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except OSError as e:
        raise AlignError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        client.register_plugin(EncoderPlugin(job), name=PLUGIN)
        # Enough in flight to keep every worker busy, even one joining later, without sending 800,000 tasks
        window = max(4 * sum(client.nthreads().values()), 100)
        queue, pending = iter(todo), {}
        done = as_completed()

        def submit(doc):
            fut = client.submit(dask_task, doc, job, retries=retries, pure=False)
            pending[fut.key] = doc
            done.add(fut)

        for doc in queue:
            submit(doc)
            if len(pending) >= window:
                break
        for fut in done:
            doc = pending.pop(fut.key)
            if fut.status == "error":
                yield _failure(doc, fut.exception())
            else:
                yield fut.result()
            fut.release()
            nxt = next(queue, None)
            if nxt is not None:
                submit(nxt)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
        else:  # someone else's cluster: do not leave our encoder in its workers' memory
            try:
                client.unregister_worker_plugin(PLUGIN)
            finally:
                client.close()
