# make run   - create the environment, migrate, start the bot (sandbox without JIFEN_BOT__TOKEN)
# make test  - lint and the whole test suite
# make demo  - the sandbox with six months of history (seeded once per database)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jifen run

demo: $(STAMP)
	$(BIN)/jifen sandbox --demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.coupons
	$(BIN)/python -m bench.bot
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.import
	$(BIN)/python -m bench.flows
	$(BIN)/python -m bench.miniapp
	$(BIN)/python -m bench.offers

clean:
	rm -rf $(VENV) data/sandbox.sqlite3*
