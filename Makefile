# hacon — the two promises of the README:
#   make demo   the console on the embedded demo cluster
#   make test   every test (installs the system packages the tests need)
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin
GO ?= go

.PHONY: demo test build vet lint bench fuzz lab lab-down lab-test clean

demo:
	$(GO) run ./cmd/hacon demo

build:
	$(GO) build -o hacon ./cmd/hacon

test:
	./scripts/install-test-deps.sh
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...
	$(GO) test -race -timeout 25m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -f hacon
