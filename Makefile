# nginit's build, test and demo entry points. Every target works on a fresh
# Debian machine with Go; the container tests also need root, nginx and runc
# (.ci/run installs them).

GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN     ?= bin/nginit
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build test test-unit test-e2e test-image demo bench vet clean

# A static, stripped binary: a distroless image has no libc to link against.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/nginit
	@file $(BIN) 2>/dev/null || true

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }

# Unit, black-box and container tests. The container tests skip without root,
# runc or nginx unless NGINIT_E2E=required, which turns a skip into a failure.
test: build vet
	$(GO) test -count=1 -timeout 15m ./...

# Build Dockerfile.example offline with podman and run the image and the
# Compose, Kubernetes and OpenShift examples. `make test` runs these too.
test-image: build
	$(GO) test -count=1 -timeout 10m -run 'TestImage|TestKubernetesExample|TestOpenShiftExample' ./e2e

test-unit:
	$(GO) test -count=1 -short ./...

# Serve examples/site at http://127.0.0.1:8080 from a read-only runc container
# with nginit as PID 1, until interrupted.
# Built, then run, rather than go run: go run exits 1 on Ctrl-C whatever the
# demo returns.
demo:
	$(GO) build -o bin/demo ./internal/cmd/demo
	./bin/demo

# Benchmarks against tini, dumb-init and catatonit, about 10 minutes on 2
# cores; needs root. Raw results and summaries go to out/bench.
bench: build
	bench/run.sh

clean:
	rm -rf bin out
