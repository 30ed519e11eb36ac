// Command kratos is Ory Kratos v1.3.1 built from the Go module proxy. Kratos' own go.mod has
// replace directives, so it cannot be `go install`ed; this wrapper module repeats them.
package main

import "github.com/ory/kratos/cmd"

func main() { cmd.Execute() }
