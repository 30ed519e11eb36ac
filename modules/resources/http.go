package resources

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/fault"
)

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "introuvable")
	}
	return id, nil
}
