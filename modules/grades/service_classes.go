package grades

import (
	"context"
	"fmt"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
)

// classRef is a class or group of the current year.
type classRef struct {
	ID    uuid.UUID
	Code  string
	Label string
	Kind  string
}

// currentClasses lists the current year's classes (kind "classe" or "groupe"; "" for both).
func (s *Service) currentClasses(ctx context.Context, t *tenant.Tenant, kind string) ([]classRef, error) {
	var out []classRef
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.classes(kind)
		return err
	})
	return out, err
}

// pupilsOf lists the active pupils of a class or group.
func (s *Service) pupilsOf(ctx context.Context, t *tenant.Tenant, classID uuid.UUID) ([]pupilRow, error) {
	var out []pupilRow
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.pupils(classID)
		return err
	})
	return out, err
}

// subjectCoefficients lists the subjects of a class for its coefficients: those taught there
// and those with a coefficient set, each with its coefficient (default 1).
func (s *Service) subjectCoefficients(ctx context.Context, t *tenant.Tenant, classID uuid.UUID) ([]SubjectHead, error) {
	var out []SubjectHead
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.subjectCoefficients(classID)
		return err
	})
	return out, err
}

// subjectExists tells whether the establishment has this subject.
func (s *Service) subjectExists(ctx context.Context, t *tenant.Tenant, code string) (bool, error) {
	var labels []string
	err := s.read(ctx, t, func(st store) error {
		var err error
		labels, err = st.subjectLabels(code)
		return err
	})
	return len(labels) > 0, err
}

// subjectLabel returns the label of a subject, or not found.
func (s *Service) subjectLabel(ctx context.Context, t *tenant.Tenant, code string) (string, error) {
	var labels []string
	err := s.read(ctx, t, func(st store) error {
		var err error
		labels, err = st.subjectLabels(code)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("grades: subject %s: %w", code, err)
	}
	if len(labels) == 0 {
		return "", fault.New(fault.ErrNotFound, "la matière « %s » n'existe pas", code)
	}
	return labels[0], nil
}
