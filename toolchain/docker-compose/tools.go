//go:build tools

// Package tools pins Docker Compose v2 so that `go build` can make it from the
// Go module proxy. Only the benchmarks use it (`make bench`: drill up against
// `docker compose up -d --wait` of the same containers).
package tools

import _ "github.com/docker/compose/v2/cmd"
