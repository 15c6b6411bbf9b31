"""Check a dataset folder offline, then upload it to the Hugging Face Hub.

``check_folder(path)`` reads the card the way the libraries do (``huggingface_hub.DatasetCard``, ``datasets``'
``MetadataConfigs`` and ``DatasetInfosDict``) and checks it against the value lists ``datasets`` ships
(``datasets/utils/resources``: languages, multilinguality, size categories, creators; and its known task ids),
then checks the data against the card: every configured data file exists, the split sizes are the shards' row
counts, the features are those stored in the shards. The Hub's own validator needs the network; this one does
not, so a broken card is caught before anything is sent.

``publish(path, repo_id, token, private)``: ``HfApi.create_repo(repo_type="dataset", exist_ok=True)`` then
``upload_folder`` of the dataset files only (the card, the shards, the plot, the exports: never the work
folder or the failures file, which hold local paths). The token is passed to ``HfApi`` and nowhere else.
"""

from __future__ import annotations

import glob
import json
import os
import re
from importlib.resources import files

from align.errors import AlignError

UPLOAD = ["README.md", "data/*.parquet", "data/*/*.parquet", "*.png", "export/*", "LICENSE*"]
_LICENSE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")   # the Hub's licence ids: apache-2.0, cc-by-sa-4.0, other...


def _resource(name: str):
    return json.loads(files("datasets.utils.resources").joinpath(name).read_text(encoding="utf-8"))


def _as_list(v) -> list:
    return [] if v is None else list(v) if isinstance(v, (list, tuple)) else [v]


def card_problems(path: str) -> list[str]:
    """Everything wrong with the dataset folder at ``path``, worded for the user; empty when it is fine."""
    import pyarrow.parquet as pq
    from datasets import Features
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs, known_task_ids
    from huggingface_hub import DatasetCard

    readme = os.path.join(path, "README.md")
    if not os.path.isdir(path):
        return [f"{path}: no such folder"]
    if not os.path.isfile(readme):
        return [f"{path}: no README.md (dataset card); build the folder with `align corpus`"]
    try:
        card = DatasetCard.load(readme)
    except Exception as e:  # the library's own parse error, whatever its type
        return [f"README.md: the card's YAML cannot be read ({str(e).splitlines()[0]})"]
    data = card.data
    problems = []

    def check(field, allowed, required=True):
        values = _as_list(data.get(field))
        if required and not values:
            problems.append(f"README.md: {field} is missing")
        problems.extend(f"README.md: {field} {v!r} is not a known value" for v in values if v not in allowed)

    check("language", _resource("languages.json"))
    check("multilinguality", _resource("multilingualities.json"))
    check("size_categories", _resource("size_categories.json"))
    check("task_categories", known_task_ids)
    creators = _resource("creators.json")
    check("annotations_creators", creators["annotations"], required=False)
    check("language_creators", creators["language"], required=False)
    licences = _as_list(data.get("license"))
    if not licences:
        problems.append("README.md: license is missing")
    problems += [f"README.md: license {v!r} is not a licence id (e.g. apache-2.0, cc-by-4.0, other)"
                 for v in licences if not isinstance(v, str) or not _LICENSE.match(v)]
    if not data.get("pretty_name"):
        problems.append("README.md: pretty_name is missing")

    try:
        configs = MetadataConfigs.from_dataset_card_data(data)
        infos = DatasetInfosDict.from_dataset_card_data(data)
    except Exception as e:
        return problems + [f"README.md: configs/dataset_info are malformed ({str(e).strip().splitlines()[0]})"]
    if not configs:
        problems.append("README.md: configs with data_files is missing")
    for name, config in configs.items():
        info = infos.get(name)
        if info is None or not info.splits:
            problems.append(f"README.md: dataset_info with split sizes is missing for config {name!r}")
            continue
        for entry in _as_list(config.get("data_files")):
            split, pattern = (entry["split"], entry["path"]) if isinstance(entry, dict) else ("train", entry)
            shards = sorted(f for p in _as_list(pattern) for f in glob.glob(os.path.join(path, p)))
            if not shards:
                problems.append(f"config {name!r}: no file matches {pattern}")
                continue
            rows = 0
            for shard in shards:
                try:
                    meta = pq.read_metadata(shard)
                    stored = Features.from_arrow_schema(pq.read_schema(shard))
                except Exception as e:
                    problems.append(f"{os.path.relpath(shard, path)}: not a readable parquet file ({e})")
                    continue
                rows += meta.num_rows
                if info.features is not None and stored != info.features:
                    problems.append(f"{os.path.relpath(shard, path)}: its columns differ from the card's features")
            expected = info.splits[split].num_examples if split in info.splits else None
            if expected != rows:
                problems.append(f"config {name!r}: the card says split {split!r} has {expected} rows, "
                                f"the files hold {rows}")
    return problems


def check_folder(path: str) -> None:
    problems = card_problems(path)
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        raise AlignError(f"{path} is not a valid dataset folder: {problems[0]}{more}")


def resolve_token(env: str = "HF_TOKEN") -> str:
    """The token from the environment variable ``env``, else the user's saved login (`hf auth login`)."""
    token = os.environ.get(env)
    if not token:
        from huggingface_hub import get_token

        token = get_token()
    if not token:
        raise AlignError(f"no Hugging Face token: set {env} or log in with `hf auth login`")
    return token


# The Hub client's HTTP session has no timeout by default: a server that accepts the connection and never
# answers kept `align publish` waiting 900 s and counting. Retries wait 2, 4, 8 s (transient network errors,
# 429 and 5xx); HTTP errors that will not change (401, 403, 404...) are not retried.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
RETRIES = 3
BACKOFF = 2.0


def publish(path: str, repo_id: str, token: str, private: bool = False, api=None, say=None) -> str:
    """Upload the dataset folder; returns the URL of the commit. ``api`` is an ``HfApi`` (tests pass a double
    or one pointed at a local server); ``say(message)`` hears what is being waited for."""
    from huggingface_hub import HfApi

    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise AlignError(f"--repo-id must look like ORG/NAME (got {repo_id!r})")
    check_folder(path)
    api = api or HfApi(token=token)
    say = say or (lambda message: None)
    _set_timeouts()
    where = getattr(api, "endpoint", None) or "the Hugging Face Hub"
    files = _upload_files(path)
    _retrying(f"creating the dataset repository {repo_id} on {where}", say, repo_id,
              lambda: api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True))
    info = _retrying(f"uploading {len(files)} files ({sum(map(os.path.getsize, files)) / 1e6:.1f} MB) to {repo_id}",
                     say, repo_id,
                     lambda: api.upload_folder(repo_id=repo_id, folder_path=path, repo_type="dataset",
                                               allow_patterns=UPLOAD, commit_message="Upload dataset built with align"))
    return str(getattr(info, "commit_url", None) or f"https://huggingface.co/datasets/{repo_id}")


def _upload_files(path: str) -> list[str]:
    return sorted({f for p in UPLOAD for f in glob.glob(os.path.join(path, p)) if os.path.isfile(f)})


def _set_timeouts() -> None:
    import httpx2  # huggingface_hub's HTTP library
    from huggingface_hub import get_session

    get_session().timeout = httpx2.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)


def _retrying(what: str, say, repo_id: str, call):
    """``call()``, retried with backoff on what may pass; every failure becomes a one-line AlignError."""
    import time

    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    say(f"{what} (waiting up to {CONNECT_TIMEOUT:.0f} s to connect, {READ_TIMEOUT:.0f} s for each answer)")
    for attempt in range(RETRIES + 1):
        try:
            return call()
        except HfHubHTTPError as e:
            status = getattr(getattr(e, "response", None), "status_code", None)
            if status in (401, 403):
                raise AlignError(f"the Hub refused the upload to {repo_id} (HTTP {status}): the token needs write "
                                 f"access to it") from None
            if not (status == 429 or (status or 0) >= 500) or attempt == RETRIES:
                raise AlignError(f"the Hub refused the upload to {repo_id}: {_first_line(e)}") from None
            problem = f"HTTP {status}"
        except (httpx2.TransportError, OSError) as e:  # timeout, refused connection, DNS, offline mode
            if attempt == RETRIES:
                raise AlignError(f"cannot reach the Hugging Face Hub ({type(e).__name__}: {_first_line(e)}) after "
                                 f"{RETRIES + 1} attempts; the upload did not complete") from None
            problem = type(e).__name__
        except (ValueError, KeyError, TypeError, AttributeError) as e:  # a 200 answer that is not what the Hub says
            raise AlignError(f"unexpected answer from the Hub while {what} ({type(e).__name__}: {_first_line(e)}); "
                             f"the upload did not complete") from None
        wait = BACKOFF * 2**attempt
        say(f"{what}: {problem}; trying again in {wait:.0f} s (attempt {attempt + 2} of {RETRIES + 1})")
        time.sleep(wait)
    raise AssertionError("unreachable")


def _first_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else "no detail"
