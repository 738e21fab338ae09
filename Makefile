# hacon — the two promises of the README:
#   make demo   the console on the embedded demo cluster
#   make test   every test (installs the system packages the tests need)
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin
GO ?= go

.PHONY: demo test build vet lint bench fuzz lab lab-down lab-test clean

demo:
	$(GO) run ./cmd/hacon demo

build:
	$(GO) build -buildvcs=auto -o hacon ./cmd/hacon

test:
	./scripts/install-test-deps.sh
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...
	$(GO) test -race -timeout 25m ./...
	@if [ "$$(id -u)" = 0 ]; then \
		$(MAKE) lab-test; \
	else \
		echo "lab end-to-end tests skipped: they need root (make lab-test as root)"; \
	fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The real HA lab (root): three controllers with Corosync, Pacemaker, IPMI
# fencing to ipmi_sim, HAProxy and a VIP in network namespaces.
lab: build
	HACON_LAB=1 ./scripts/install-test-deps.sh
	HACON_BIN=$(CURDIR)/hacon ./lab/up

lab-down:
	./lab/down

# lab/up, the end-to-end tests on it, then lab/down even when they fail.
lab-test: build
	HACON_LAB=1 ./scripts/install-test-deps.sh
	flock -w 1200 lab sh -c '\
	rc=0; \
	HACON_BIN=$(CURDIR)/hacon ./lab/up || rc=$$?; \
	if [ $$rc = 0 ]; then \
		$(GO) test -tags lab -count=1 -v -timeout 15m ./lab/ || rc=$$?; \
	fi; \
	./lab/down || true; \
	exit $$rc'

clean:
	rm -f hacon
