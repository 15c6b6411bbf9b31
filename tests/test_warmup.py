"""The set-up warm-up compiles every numba function with the argument types a run uses, so no run compiles."""

import os

from align import kernels
from align.warmup import warm_up

SEEDS = os.path.join(os.path.dirname(__file__), "..", "seeds")


def _compiled() -> dict[str, set]:
    return {k.name: set(k.dispatcher.signatures) for k in kernels.kernels() if k.dispatcher is not None}


def test_a_run_after_the_warm_up_compiles_nothing(token_encoder, tmp_path):
    from align.corpus.config import Doc
    from align.corpus.task import Job, align_doc
    from align.encode import Memo
    from align.pipeline import align_files

    warm_up()
    before = _compiled()
    # the ones called from Python have their types (those only called from compiled code have none of their own)
    assert before["align.core.dp.gain_table"] and before["align.score.langid._naive_bayes"]
    src, tgt = os.path.join(SEEDS, "udhr_arb.txt"), os.path.join(SEEDS, "udhr_eng.txt")
    for path, name in ((src, "long.ar"), (tgt, "long.en")):      # 876 lines a side: the banded DP
        with open(path, encoding="utf-8") as f, open(tmp_path / name, "w", encoding="utf-8") as out:
            out.write(f.read() * 4)
    with kernels.numba_only():  # numba's dispatchers see every call (the ahead-of-time build covers the same types)
        align_files(src, tgt, "ar", "en", encoder=Memo(token_encoder))                   # paragraphs, then sentences
        align_files(src, tgt, "ar", "en", segmented=True, encoder=Memo(token_encoder))   # one segment per line
        align_files(str(tmp_path / "long.ar"), str(tmp_path / "long.en"), "ar", "en", segmented=True,
                    encoder=Memo(token_encoder))
        # a corpus worker's document: its fresh memo hands over the vectors of all-new distinct lines read-only
        (tmp_path / "w.ar").write_text("".join(f"المادة {i}: لكل شخص الحق في التعليم.\n" for i in range(9)),
                                       encoding="utf-8")
        (tmp_path / "w.en").write_text("".join(f"Article {i}: everyone has the right to work.\n" for i in range(9)),
                                       encoding="utf-8")
        assert align_doc(Doc("w", str(tmp_path / "w.ar"), str(tmp_path / "w.en"), segmented=True), Job("ar", "en"),
                         token_encoder)["ok"]
    assert _compiled() == before
