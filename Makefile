# The two set-up commands are `make gameday` and `make test`; each bootstraps
# what it needs. The other targets are their parts.
VENV  := .venv
BIN   := $(VENV)/bin
DRILL := $(BIN)/drill

.PHONY: gameday test soak bench matrix test-clients venv bootstrap doctor lint typecheck unit integration down-ci clean

gameday: bootstrap
	$(DRILL) gameday

# The swarm stack's hosts are made, and its images loaded into them (minutes of unpacking), in the
# background while the fast checks run; the integration tests find them ready (or make them).
HOSTS_LOG := .state/logs/hosts-up.log

test: bootstrap
	@mkdir -p $(dir $(HOSTS_LOG))
	@echo "hosts: making the swarm stack's hosts and loading its images meanwhile ($(HOSTS_LOG))"
	@$(DRILL) hosts up --images swarm > $(HOSTS_LOG) 2>&1 & hosts=$$!; \
	  $(MAKE) lint typecheck unit; checks=$$?; \
	  wait $$hosts; ready=$$?; tail -n 8 $(HOSTS_LOG); \
	  [ $$checks -eq 0 ] || exit $$checks; \
	  [ $$ready -eq 0 ] || { echo "drill hosts up failed: see $(HOSTS_LOG)"; exit $$ready; }; \
	  $(MAKE) integration

# 20 game days in a row, beside a CPU hog on one core and at three times the workload's
# rate: no acknowledged write lost, no false failure, nothing left behind.
soak: bootstrap
	$(DRILL) soak --runs 20 --cpu-hog 1 --load 3

# The survive/restore matrix: every fault in every room where it applies (reports/latest-matrix).
matrix: bootstrap
	$(DRILL) matrix

# Stand-up against docker compose, game days, restore, footprint: bench/README.md.
bench: bootstrap
	$(DRILL) bench

venv:
	bash scripts/venv.sh

bootstrap: venv
	$(DRILL) bootstrap

doctor: venv
	$(DRILL) doctor

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -q tests/unit

# Real clients for the tests: Debian's Chromium (the reports, as a reader opens
# them) and swaks (SMTP over TLS from another make).
test-clients:
	bash scripts/test-clients.sh

integration: bootstrap test-clients
	HOSPITAL_DRP_REQUIRE_ENGINE=1 $(BIN)/pytest -q --durations=15 tests/integration

# Destroy what a crashed test run may have left of the test stack.
down-ci: venv
	$(DRILL) --stack ci down

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
