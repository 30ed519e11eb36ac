package exercises

import (
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: teachers have a bank, exercises, assignments and results; pupils do the
// exercises given to their classes and groups. Nobody else reads a bank or an attempt.
var Grants = module.Grants{
	identity.RoleEnseignant: {PermWrite},
	identity.RoleEleve:      {PermTake},
}

func init() { identity.Grant(Grants) }
