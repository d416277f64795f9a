//go:build tools

// Package tools pins the Pulumi CLI so that `go build` can make it from the
// Go module proxy; see build.sh.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
