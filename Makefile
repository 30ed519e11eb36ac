# The two commands: `make dev` runs the whole product with demo data, `make test` runs every test.
GO ?= go

.PHONY: dev test build bench fuzz chromium axe FORCE

dev: build
	./.bin/cartable dev

# Every test, against one private PostgreSQL cluster started for the run (ops/testenv/pgrun).
# The browser tests drive headless Chromium: ops/ensure-chromium.sh installs it when missing.
test: .bin/pgrun chromium axe
	$(GO) vet ./...
	./.bin/pgrun -- $(GO) test -race -count=1 ./...

.bin/pgrun: FORCE
	$(GO) build -o .bin/pgrun ./ops/testenv/pgrun

axe:
	sh ops/ensure-axe.sh

chromium:
	sh ops/ensure-chromium.sh

build:
	$(GO) build -o .bin/cartable ./cmd/cartable

# Speed targets of the issues, as Go benchmarks (figures go in the closing notes).
bench: .bin/pgrun
	./.bin/pgrun -- sh -c "$(GO) test -run '^$$' -bench 'Provision|MigrateNothing' -benchtime 20x ./tenant/ && \
		$(GO) test -run '^$$' -bench TxOverhead -benchtime 3000x -count 3 ./tenant/"

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseHost -fuzztime 30s ./tenant/

FORCE:
