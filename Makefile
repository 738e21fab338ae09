# hacon — the two promises of the README:
#   make demo   the console on the embedded demo cluster
#   make test   every test (installs the system packages the tests need)
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin
GO ?= go
# How long make fuzz runs each fuzz target.
FUZZTIME ?= 10s

.PHONY: demo test build package package-docs lab-api lint bench fuzz lab lab-down lab-test clean

# What `hacon version` says: a release tag (v1.2.3 → 1.2.3) when the commit
# has one, else 0.0.0~gitDATE.COMMIT (sorts below any release in dpkg and
# rpm); the commit, its branch and its date, so a build is reproducible.
VPKG := github.com/prometheus/common/version
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH := $(shell git symbolic-ref --short -q HEAD 2>/dev/null)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
BUILD_DATE := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ)
VERSION ?= $(shell v=$$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null) && echo $${v\#v} || \
	echo 0.0.0~git$$(date -u -d @$(SOURCE_DATE_EPOCH) +%Y%m%d).$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown))
LDFLAGS := -X $(VPKG).Version=$(VERSION) -X $(VPKG).Revision=$(COMMIT) \
	-X $(VPKG).Branch=$(BRANCH) -X $(VPKG).BuildDate=$(BUILD_DATE)
export SOURCE_DATE_EPOCH
# make package: the architectures built; DIST: where the artefacts go.
ARCHES ?= amd64 arm64
DIST ?= dist

demo:
	$(GO) run ./cmd/hacon demo

build:
	$(GO) build -buildvcs=auto -ldflags '$(LDFLAGS)' -o hacon ./cmd/hacon

# Static binaries, .deb and .rpm per architecture in $(DIST): the binary,
# hacon(1) and its commands' pages, hacon-config(5), bash/zsh/fish
# completions and an example config (packaging/nfpm.yaml says where).
package: package-docs
	@for arch in $(ARCHES); do \
		bin=$(DIST)/hacon_$(VERSION)_linux_$$arch; \
		echo "build $$bin"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
			-ldflags '-s -w $(LDFLAGS)' -o $$bin ./cmd/hacon || exit 1; \
		for fmt in deb rpm; do \
			VERSION='$(VERSION)' ARCH=$$arch BIN=$$bin DOCS=$(DIST)/docs \
				$(GO) tool nfpm package --config packaging/nfpm.yaml --packager $$fmt --target $(DIST)/ || exit 1; \
		done; \
	done
	@ls -l $(DIST)

# Man pages and completions, generated from the command definitions (the
# same as --help) and the README's configuration reference.
package-docs:
	rm -rf $(DIST)/docs
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/hacon gen-docs --readme README.md $(DIST)/docs

# The lab's fake OpenStack APIs: a command of the lab, not of hacon.
lab-api:
	$(GO) build -o lab-api ./lab/cmd/lab-api

# gofmt, vet (the lab's tests too) and staticcheck, the version go.mod pins.
lint:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...
	$(GO) vet -tags lab ./lab/ ./lab/keepalived/
	$(GO) tool staticcheck ./...

test:
	./scripts/install-test-deps.sh
	$(MAKE) lint
	$(GO) test -race -timeout 25m ./...
	@if [ "$$(id -u)" = 0 ]; then \
		$(MAKE) lab-test LAB=pacemaker && $(MAKE) lab-test LAB=keepalived; \
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

# Which lab the lab targets drive: pacemaker (lab/, the default) or
# keepalived (lab/keepalived/, kolla-style: keepalived + HAProxy over ssh).
LAB ?= pacemaker
LAB_DIR_pacemaker = lab
LAB_DIR_keepalived = lab/keepalived
LAB_DIR := $(LAB_DIR_$(LAB))

# The real HA lab (root): three controllers in network namespaces; LAB=pacemaker:
# Corosync, Pacemaker, IPMI fencing to ipmi_sim, HAProxy and a VIP;
# LAB=keepalived: sshd, keepalived (kolla's settings), HAProxy, ipmi_sim BMCs.
lab: build lab-api
	HACON_LAB=1 ./scripts/install-test-deps.sh
	HACON_BIN=$(CURDIR)/hacon LAB_API_BIN=$(CURDIR)/lab-api ./$(LAB_DIR)/up

lab-down:
	./$(LAB_DIR)/down

# up, the end-to-end tests on it, then down even when they fail.
lab-test: build lab-api
	HACON_LAB=1 ./scripts/install-test-deps.sh
	flock -w 1200 $(LAB_DIR) sh -c '\
	rc=0; \
	HACON_BIN=$(CURDIR)/hacon LAB_API_BIN=$(CURDIR)/lab-api ./$(LAB_DIR)/up || rc=$$?; \
	if [ $$rc = 0 ]; then \
		$(GO) test -tags lab -count=1 -v -timeout 15m ./$(LAB_DIR)/ || rc=$$?; \
	fi; \
	./$(LAB_DIR)/down || true; \
	exit $$rc'

clean:
	rm -f hacon lab-api
	rm -rf $(DIST)
