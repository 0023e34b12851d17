# Quick start: `make run` and `make test` set everything up on a fresh machine, with every extra.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean cjk-font

$(BIN)/python:
	$(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dashboard,distributed]"
	touch $(STAMP)

# The dashboard's Chinese labels and PNG exports need a CJK font: install Debian's where we can, else warn.
cjk-font:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1; } \
		|| echo "warning: no Chinese font (install fonts-noto-cjk); the dashboard's Chinese text will show as boxes" >&2

run: $(STAMP) cjk-font
	$(BIN)/parksim run baseline

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_runner.py
	$(BIN)/python benchmarks/bench_dashboard.py
	$(BIN)/python benchmarks/bench_calibration.py --quick
	$(BIN)/python benchmarks/bench_properties.py

clean:
	rm -rf $(VENV) runs
