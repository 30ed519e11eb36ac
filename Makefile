# The two commands: `make dev` runs the whole product with demo data, `make test` runs every test.
GO ?= go

.PHONY: dev test build bench fuzz chromium axe mailpit stripe-mock load FORCE

# make dev also starts mailpit, the development mailbox of the notifications' e-mails, and
# stripe-mock, the offline Stripe API that the monthly close invoices.
dev: build mailpit stripe-mock
	./.bin/cartable dev

# Every test, against one private PostgreSQL cluster started for the run (ops/testenv/pgrun).
# Two passes: every test but the browser ones under the race detector, then the browser tests
# (cmd/cartable's TestBrowser*) without it, once the other packages are done. The browser walk
# checks pages, not data races, and under -race beside the whole suite on 2 cores it took
# 20 min instead of 3. The server code it drives is raced by the other tests of cmd/cartable.
# The browser tests drive headless Chromium: ops/ensure-chromium.sh installs it when missing.
test: .bin/pgrun chromium axe mailpit stripe-mock
	$(GO) vet ./...
	./.bin/pgrun -- sh -c '$(GO) test -race -count=1 -timeout 45m -skip "^TestBrowser" ./... && \
	  $(GO) test -count=1 -timeout 30m -run "^TestBrowser" ./cmd/cartable/'

.bin/pgrun: FORCE
	$(GO) build -o .bin/pgrun ./ops/testenv/pgrun

axe:
	sh ops/ensure-axe.sh

chromium:
	sh ops/ensure-chromium.sh

mailpit:
	sh ops/ensure-mailpit.sh

# Stripe's API mock (github.com/stripe/stripe-mock), built once into .bin/.
stripe-mock:
	sh ops/ensure-stripe-mock.sh

build:
	$(GO) build -o .bin/cartable ./cmd/cartable

# Speed targets of the issues, as Go benchmarks (figures go in the closing notes).
bench: .bin/pgrun
	./.bin/pgrun -- sh -c "$(GO) test -run '^$$' -bench 'Provision|MigrateNothing' -benchtime 20x ./tenant/ && \
		$(GO) test -run '^$$' -bench TxOverhead -benchtime 3000x -count 3 ./tenant/"

# The load scenario (ops/load): its own PostgreSQL, Kratos and server, 1,000 establishments,
# vegeta at rising rates and 16 clients next to pgbench -S. Options: make load LOAD_FLAGS='-tenants 20'.
load: build
	$(GO) build -o .bin/load ./ops/load
	./.bin/load -bin .bin/cartable $(LOAD_FLAGS)

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseHost -fuzztime 30s ./tenant/

FORCE:
