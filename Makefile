# capctl — build, test, lint, demo and benchmarks.
# Everything here needs only Go; tools are installed into ./bin on first use.

GO      ?= go
BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

STATICCHECK_VERSION := v0.8.2
ACTIONLINT_VERSION  := v1.7.12

.PHONY: all build test lint fmt bench demo soak fuzz tools clean

all: lint test build

## build: capctl and dashscope-sim into ./bin
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/capctl ./cmd/capctl
	$(GO) build -o $(BIN)/dashscope-sim ./cmd/dashscope-sim

## test: every test, with the race detector
test:
	$(GO) test -race ./...

## lint: vet, staticcheck, gofmt, go.mod tidiness, workflow files
lint: $(BIN)/staticcheck $(BIN)/actionlint
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(BIN)/actionlint .github/workflows/*.yml $(wildcard examples/github/*.yml)

## demo: plan and apply the example fleet against the bundled simulator
demo: build
	./scripts/demo.sh

## bench: end-to-end benchmarks against the simulator; prints a table
bench: build
	$(GO) run ./internal/bench/cmd/capctl-bench -bin $(BIN) -out docs/benchmarks.md

## fuzz: a short pass of every fuzz target
fuzz:
	./scripts/fuzz.sh 20s

## soak: the long fault soak test
soak:
	CAPCTL_SOAK=long $(GO) test -race -run TestSoak -timeout 30m -v ./cmd/capctl/

tools: $(BIN)/staticcheck $(BIN)/actionlint

$(BIN)/staticcheck:
	GOBIN=$(BIN) GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(BIN)/actionlint:
	GOBIN=$(BIN) GOFLAGS= $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

clean:
	rm -rf $(BIN)
