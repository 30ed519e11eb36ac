# The two commands: `make dev` runs the whole product with demo data, `make test` runs every test.
GO ?= go

.PHONY: dev test build vet fmt bench fuzz

dev:
	$(GO) run ./cmd/cartable dev

# Every test, against one private PostgreSQL cluster started for the run (ops/testenv/pgrun).
test:
	$(GO) vet ./...
	$(GO) run ./ops/testenv/pgrun -- $(GO) test -race -count=1 ./...

build:
	$(GO) build -o .bin/cartable ./cmd/cartable

# Speed targets of the issues, as Go benchmarks (figures go in the closing notes).
bench:
	$(GO) run ./ops/testenv/pgrun -- $(GO) test -run '^$$' -bench . -benchtime 20x ./tenant/

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseHost -fuzztime 30s ./tenant/
