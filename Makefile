# hacon — the two promises of the README:
#   make demo   the console on the embedded demo cluster
#   make test   every test (installs the system packages the tests need)
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin
GO ?= go
# How long make fuzz runs each fuzz target.
FUZZTIME ?= 10s

.PHONY: demo test build lab-api lint bench fuzz lab lab-down lab-test clean

demo:
	$(GO) run ./cmd/hacon demo

build:
	$(GO) build -buildvcs=auto -o hacon ./cmd/hacon

# The lab's fake OpenStack APIs: a command of the lab, not of hacon.
lab-api:
	$(GO) build -o lab-api ./lab/cmd/lab-api

# gofmt, vet (the lab's tests too) and staticcheck, the version go.mod pins.
lint:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...
	$(GO) vet -tags lab ./lab/
	$(GO) tool staticcheck ./...

test:
	./scripts/install-test-deps.sh
	$(MAKE) lint
	$(GO) test -race -timeout 25m ./...
	@if [ "$$(id -u)" = 0 ]; then \
		$(MAKE) lab-test; \
	else \
		echo "lab end-to-end tests skipped: they need root (make lab-test as root)"; \
	fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Every fuzz target in the tree, each for FUZZTIME, found by name so a new
# one is fuzzed without editing this file.
fuzz:
	grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' . | sort | \
	while IFS=: read -r file fn; do \
		name=$${fn#func }; \
		echo "fuzz $$name ($$(dirname $$file))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$(dirname $$file)" || exit 1; \
	done

# The real HA lab (root): three controllers with Corosync, Pacemaker, IPMI
# fencing to ipmi_sim, HAProxy and a VIP in network namespaces.
lab: build lab-api
	HACON_LAB=1 ./scripts/install-test-deps.sh
	HACON_BIN=$(CURDIR)/hacon LAB_API_BIN=$(CURDIR)/lab-api ./lab/up

lab-down:
	./lab/down

# lab/up, the end-to-end tests on it, then lab/down even when they fail.
lab-test: build lab-api
	HACON_LAB=1 ./scripts/install-test-deps.sh
	flock -w 1200 lab sh -c '\
	rc=0; \
	HACON_BIN=$(CURDIR)/hacon LAB_API_BIN=$(CURDIR)/lab-api ./lab/up || rc=$$?; \
	if [ $$rc = 0 ]; then \
		$(GO) test -tags lab -count=1 -v -timeout 15m ./lab/ || rc=$$?; \
	fi; \
	./lab/down || true; \
	exit $$rc'

clean:
	rm -f hacon lab-api
