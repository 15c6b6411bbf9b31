"""`align publish`: the folder and its card are checked offline before anything is sent; the upload goes through
`HfApi.create_repo` + `upload_folder` (here a double that records the calls: the Hub is unreachable), sends only
the dataset files, and the token never shows up in the output or in any file. Missing token, broken folder and
network failure are one-line errors."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from align.cli import main
from align.corpus.config import load_config
from align.corpus.run import build_corpus
from align.publish import card_problems
from test_corpus import make_corpus

TOKEN = "hf_testtoken_do_not_leak_123"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("pub")
    out = str(root / "out")
    build_corpus(load_config(make_corpus(root, broken=True)), out, progress=False)
    return out


@pytest.fixture
def copy(folder, tmp_path):
    dest = tmp_path / "ds"
    shutil.copytree(folder, dest)
    return dest


class FakeApi:
    """Stands in for huggingface_hub.HfApi: records the calls, can fail like the network or the Hub."""

    calls: list = []
    fail: Exception | None = None

    def __init__(self, token=None, **_):
        FakeApi.calls.append(("init", {"token": token}))

    def create_repo(self, repo_id, **kw):
        FakeApi.calls.append(("create_repo", {"repo_id": repo_id, **kw}))
        if FakeApi.fail:
            raise FakeApi.fail

    def upload_folder(self, **kw):
        FakeApi.calls.append(("upload_folder", kw))
        return type("CommitInfo", (), {"commit_url": f"https://huggingface.co/datasets/{kw['repo_id']}/commit/abc"})()


@pytest.fixture
def api(monkeypatch, tmp_path):
    import huggingface_hub
    from huggingface_hub import constants

    FakeApi.calls, FakeApi.fail = [], None
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    # no token from this machine: not its environment, not its saved login
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(var, raising=False)
    return FakeApi


def publish(*args):
    return CliRunner().invoke(main, ["publish", *map(str, args)])


def test_upload_creates_the_dataset_repo_and_sends_only_the_dataset_files(folder, api, monkeypatch):
    from huggingface_hub.utils import filter_repo_objects

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    r = publish(folder, "--repo-id", "my-org/tiny", "--private")
    assert r.exit_code == 0, r.output
    assert [c[0] for c in api.calls] == ["init", "create_repo", "upload_folder"]
    assert api.calls[0][1]["token"] == TOKEN
    assert api.calls[1][1] == {"repo_id": "my-org/tiny", "repo_type": "dataset", "private": True, "exist_ok": True}
    up = api.calls[2][1]
    assert up["repo_id"] == "my-org/tiny" and up["repo_type"] == "dataset" and up["folder_path"] == folder
    # what upload_folder would send, by the library's own pattern matching
    files = sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, ns in os.walk(folder) for n in ns)
    sent = sorted(filter_repo_objects(files, allow_patterns=up["allow_patterns"],
                                      ignore_patterns=up.get("ignore_patterns")))
    assert "README.md" in sent and "scores.png" in sent and any(f.startswith("data/train-") for f in sent)
    assert "export/tiny.ar-en.tmx" in sent
    assert not any(f.startswith(".work") or f == "failures.jsonl" for f in sent)  # local paths stay local
    assert TOKEN not in r.output and "my-org/tiny/commit/abc" in r.output


def test_token_is_never_written_into_the_folder(folder, api, monkeypatch):
    monkeypatch.setenv("MY_TOKEN", TOKEN)
    assert publish(folder, "--repo-id", "o/n", "--token-env", "MY_TOKEN").exit_code == 0
    assert api.calls[0][1]["token"] == TOKEN
    for d, _, names in os.walk(folder):
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                assert TOKEN.encode() not in f.read()


def test_saved_login_is_used_without_the_variable(folder, api):
    from huggingface_hub import constants

    os.makedirs(os.path.dirname(constants.HF_TOKEN_PATH))
    with open(constants.HF_TOKEN_PATH, "w") as f:
        f.write(TOKEN)
    r = publish(folder, "--repo-id", "o/n")
    assert r.exit_code == 0, r.output
    assert api.calls[0][1]["token"] == TOKEN and TOKEN not in r.output


def test_missing_token_is_a_one_line_error(folder, api):
    r = publish(folder, "--repo-id", "o/n")
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "no Hugging Face token" in r.output
    assert api.calls == []


@pytest.mark.parametrize("kind", ["network", "forbidden"])
def test_hub_failures_are_one_line_errors(folder, api, monkeypatch, kind):
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    url = "https://huggingface.co/api/repos/create"
    if kind == "network":
        api.fail = httpx2.ConnectError("[Errno -3] Temporary failure in name resolution")
    else:
        api.fail = HfHubHTTPError("403 Forbidden", response=httpx2.Response(403, request=httpx2.Request("POST", url)))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setattr("align.publish.BACKOFF", 0.0)
    r = publish(folder, "--repo-id", "o/n")
    errors = [l for l in r.output.splitlines() if l.startswith("align: error")]
    assert r.exit_code == 2 and len(errors) == 1 and TOKEN not in r.output
    # what it waited for is said first; a network error is retried, a refusal is not
    assert r.output.startswith("align: creating the dataset repository o/n")
    assert r.output.count("trying again") == (3 if kind == "network" else 0)
    assert ("cannot reach the Hugging Face Hub" if kind == "network" else "HTTP 403") in r.output


def test_invalid_folder_is_refused_before_any_call(tmp_path, copy, api, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    r = publish(tmp_path / "nowhere", "--repo-id", "o/n")
    assert r.exit_code == 2 and "no such folder" in r.output
    os.remove(copy / "README.md")
    r = publish(copy, "--repo-id", "o/n")
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "no README.md" in r.output
    assert api.calls == []


def _edit_card(path, old, new):
    text = (path / "README.md").read_text(encoding="utf-8")
    assert old in text
    (path / "README.md").write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, problem", [
    ("- n<1K", "- tiny", "size_categories 'tiny' is not a known value"),
    ("task_categories:\n- translation", "task_categories:\n- alignment-magic", "task_categories 'alignment-magic'"),
    ("multilinguality:\n- translation", "multilinguality:\n- bilingual", "multilinguality 'bilingual'"),
    ("language:\n- ar", "language:\n- arabic-ish", "language 'arabic-ish'"),
    ("license: cc-by-4.0", "license: CC BY 4.0", "not a licence id"),
    ("license: cc-by-4.0\n", "", "license is missing"),
    ("path: data/train-*", "path: data/test-*", "no file matches"),
    ("    num_examples: ", "    num_examples: 1", "has 1"),            # the split size is wrong
    ("    dtype: float64", "    dtype: float32", "differ from the card's features"),
    ("pretty_name: tiny\n", "", "pretty_name is missing"),
])
def test_card_checks_catch_what_the_hub_would_reject(copy, old, new, problem):
    assert card_problems(str(copy)) == []
    _edit_card(copy, old, new)
    problems = card_problems(str(copy))
    assert any(problem in p for p in problems), problems


def test_check_only(copy, api):
    r = publish(copy, "--check")
    assert r.exit_code == 0 and "valid" in r.output and api.calls == []
    (copy / "data" / os.listdir(copy / "data")[0]).write_bytes(b"not parquet")
    r = publish(copy, "--check")
    assert r.exit_code == 2 and "not a readable parquet file" in r.output

