# The two commands of the README: `make run` and `make test`.
VENV   := .venv
PYTHON := $(VENV)/bin/python
BIN    := $(VENV)/bin
export FLASK_APP := talentday

.PHONY: run instance-address test bench lint format translations extract-messages browser-tools clean screenshots

# The virtual environment is rebuilt whenever the dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

# After editing a catalogue: compile it, and commit the .mo with the .po.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d talentday/translations

# Gathers every translatable string; then update the catalogue and translate what is new.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__ .venv" -o talentday/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i talentday/translations/messages.pot -d talentday/translations --no-fuzzy-matching --no-wrap --ignore-obsolete

# A secret key made once per machine, and the address the links in emails point to:
# instance/ is never committed. A config from before PUBLIC_BASE_URL existed gets it added.
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

instance-address: instance/config.py
	@grep -q '^PUBLIC_BASE_URL' instance/config.py || { \
	  echo 'PUBLIC_BASE_URL = "http://127.0.0.1:5000"' >> instance/config.py; \
	  echo 'TRUSTED_HOSTS = ["127.0.0.1", "localhost"]' >> instance/config.py; }

# `make run PORT=8080` when 5000 is taken: the links in emails follow the port.
PORT ?= 5000
ifneq ($(PORT),5000)
RUN_ADDRESS := TALENTDAY_PUBLIC_BASE_URL=http://127.0.0.1:$(PORT)
endif
run: $(VENV)/.installed instance-address
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --skip-if-real-data
	@echo "TalentDay is at http://127.0.0.1:$(PORT) (Ctrl+C stops it)"
	$(RUN_ADDRESS) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium for the browser tests: installed when missing and we may; otherwise the
# browser tests report themselves skipped (and fail in CI, where they must run).
browser-tools:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "NOTE: /usr/bin/chromium is missing and cannot be installed here: browser tests will be skipped."; \
	  fi; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r talentday -q

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite runs in one worker per core (pytest-xdist): `make test TEST_WORKERS=0` runs it in
# this one process, to read a failure in order or to debug with --pdb.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test browser-tools lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# Throughput of the key requests with wrk on generated data, SQLite and PostgreSQL, against a
# bare Flask ceiling; writes docs/performance.md (not part of the tests: never a timing
# threshold). `make bench SCALE=0.1` for a quick run; settings in bench/bench.py.
SCALE ?= 1
bench: $(VENV)/.installed
	bash bench/run.sh $(SCALE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info

# The README's phone pictures, from the demo at 390 px in Chinese (docs/screenshots.py).
screenshots: $(VENV)/.installed-test browser-tools
	$(PYTHON) docs/screenshots.py
