# Two commands from a fresh clone (see README):
#   make demo   set up .venv, align the bundled sample (UDHR Arabic/English, the seed UN letter), build the
#               sample dataset of corpora/udhr-ar-en
#   make test   set up .venv with the test extras and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint setup setup-test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# align.warmup compiles the numba functions into their on-disk cache now, so that no run compiles them (11 s),
# then builds them ahead of time (align.kernels: numba.pycc and the C compiler, 5.5 s), so that no run loads numba
setup: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m align.warmup

# torch==2.13.0 (CPU build) comes with the [hf] extra; the tests build a tiny transformers model with it
setup-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[hf,dask,test]'
	$(BIN)/python -m align.warmup

demo: setup
	@mkdir -p out
	$(BIN)/align segment seeds/S-2018-letter-syria-hajin.en.txt --lang en -o out/S-2018-letter.structure.txt
	$(BIN)/align pair seeds/udhr_arb.txt seeds/udhr_eng.txt --src-lang ar --tgt-lang en \
		-o out/udhr.jsonl -o out/udhr.html -o out/udhr.tsv
	$(BIN)/align corpus corpora/udhr-ar-en/corpus.yaml --workers 2 --root seeds --root ../shared/bench
	@echo "open out/udhr.html for the side-by-side review; out/udhr.jsonl holds every link;"
	@echo "build/udhr-ar-en/ is a Hugging Face dataset folder (README.md card, data/*.parquet, export/)"

test: setup-test
	$(BIN)/python -m pytest -q

# ruff (pyflakes, pycodestyle, bugbear) on everything, mypy on the package; CI runs it after the tests
lint: setup-test
	$(BIN)/ruff check align scripts tests
	$(BIN)/mypy

# the baselines: Vecalign's DP (sentalign) and Bertalign (its PyPI release declares Python >= 3.12: installed
# without its dependencies; scripts/bench.py loads only its DP module)
bench: setup-test
	$(BIN)/pip install -q sentalign==0.3.0 scipy
	$(BIN)/pip install -q --no-deps --ignore-requires-python bertalign==2.0.1
	$(BIN)/python scripts/bench.py ../shared/bench --baselines --scale --repeat

clean:
	rm -rf out build
