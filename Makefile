# edge-agent: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing (Debian packages, Python test peers in .venv), build, and are safe to repeat.

SWIFT        ?= swift
PYTHON       ?= python3
VENV         := .venv
VENV_PYTHON  := $(VENV)/bin/python
BIN          := .build/debug/edge-agent
# Libraries the build links against (all `make run` needs).
APT_PACKAGES := pkg-config openssl libgpiod-dev libmodbus-dev libsqlite3-dev libssl-dev
# What only the tests need: the pty peer of the simulated modem, the Python peers' venv, and headless Chromium
# for the commissioning page.
TEST_APT_PACKAGES := socat python3-venv chromium chromium-driver
# The C compiler for the libmodbus reference loop: the system's cc, else the clang that ships with Swift.
BENCH_CC     := $(shell command -v cc || command -v clang)
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test build build-tests release deps deps-system deps-test-system deps-python swift-test e2e-test clean bench apt-install

run: deps-system build
	@$(BIN) token >/dev/null
	@echo "edge-agent: simulated site, local API on http://127.0.0.1:8080"
	@echo "edge-agent: API token (also in .state/api-token): $$($(BIN) token)"
	@echo "edge-agent: read-only API token (also in .state/api-token-readonly): $$($(BIN) token --read-only)"
	@echo "edge-agent: commissioning page: open http://127.0.0.1:8080/ and paste the API token"
	@echo "edge-agent: try  curl -H \"Authorization: Bearer \$$(cat .state/api-token)\" http://127.0.0.1:8080/v1/status"
	exec $(BIN) run

test: deps build-tests swift-test e2e-test

build: deps-system
	$(SWIFT) build --product edge-agent

build-tests: deps-system
	$(SWIFT) build --build-tests

# One test at a time: many tests run real peers and real timers, and on a 2-core machine running them
# side by side starves the few threads Swift concurrency has (the whole suite still takes under a minute).
swift-test: deps-python build-tests
	EDGE_AGENT_PYTHON=$(abspath $(VENV_PYTHON)) $(SWIFT) test --skip-build --no-parallel

e2e-test: deps-python build-tests
	EDGE_AGENT_BIN=$(abspath $(BIN)) $(VENV_PYTHON) -m pytest -q Tests/EndToEnd

# A self-contained binary for a board: the Swift runtime and Foundation are linked in.
release: deps-system
	$(SWIFT) build -c release --static-swift-stdlib
	@echo "built .build/release/edge-agent (see docs/install.md)"

deps: deps-system deps-test-system deps-python

# Installs only the Debian packages that are missing, so a second run does nothing.
deps-system:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

deps-test-system:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

deps-python: $(VENV)/.installed

$(VENV)/.installed: Tests/EndToEnd/requirements.txt | deps-system deps-test-system
	test -x $(VENV_PYTHON) || $(PYTHON) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check -r Tests/EndToEnd/requirements.txt
	touch $@

# Benchmarks on an optimized build (Modbus and OCPP next to a peer measured in the same run, balancing and
# authorization by size); not part of `make test`.
bench: deps
	$(SWIFT) build -c release --product edge-agent
	@mkdir -p .build/bench
	$(BENCH_CC) -O2 -o .build/bench/modbus_loop Benchmarks/modbus_loop.c $$(pkg-config --cflags --libs libmodbus)
	Benchmarks/run.sh .build/release/edge-agent $(VENV_PYTHON) .build/bench/modbus_loop
	.build/release/edge-agent bench ocpp --python $(VENV_PYTHON) --benchmarks Benchmarks
	.build/release/edge-agent bench authorization
	.build/release/edge-agent bench balancing

clean:
	rm -rf .build $(VENV)
